#!/usr/bin/env bash
# AFL++ smoke run: installs what is missing, builds heap_fuzzer with the `afl` preset
# (afl-clang-fast++, ASan, UBSan on allocator/; that target only, to keep CI cheap) and fuzzes it
# under afl-fuzz for SECONDS (default 5) with `allocfuzz run --engine=afl`, one instance per
# core, from the shipped seeds. Any allocfuzz drives afl-fuzz: the fuzz preset's when that build
# exists (ci/test.sh has just built it; brought up to date here), else the afl preset's, built
# here (the command line costs about 45 s of afl-clang-fast++ on 2 cores, heap_fuzzer 20 s).
# Fails when afl-fuzz found a crash or a hang (exit 1; the finding is minimized and printed with
# its replay command), could not run (exit 2), or ran no executions.
#   ci/afl_smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-5}"
if [[ ! "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: ci/afl_smoke.sh [SECONDS]" >&2
  exit 2
fi

bash ci/deps.sh
cmake --preset afl
cmake --build --preset afl --target heap_fuzzer
if [[ -f build/fuzz/build.ninja ]]; then
  cmake --build --preset fuzz --target allocfuzz
  allocfuzz=build/fuzz/bin/allocfuzz
else
  cmake --build --preset afl --target allocfuzz
  allocfuzz=build/afl/bin/allocfuzz
fi

status=0
"$allocfuzz" run --engine=afl heap_fuzzer "$seconds" || status=$?
if [[ $status -ne 0 ]]; then
  echo "ci/afl_smoke.sh: allocfuzz run --engine=afl exited with $status" \
    "(1: a finding, above; 2: afl-fuzz could not run, see work/heap_fuzzer/fuzz.log)" >&2
  exit 1
fi

# allocfuzz fails a run without executions already; this checks afl-fuzz's own count.
executions=$(awk -F: '$1 ~ /^execs_done/ { sum += $2 } END { print sum + 0 }' \
  work/heap_fuzzer/afl/*/fuzzer_stats)
if [[ $executions -eq 0 ]]; then
  echo "ci/afl_smoke.sh: afl-fuzz ran no executions (work/heap_fuzzer/afl/*/fuzzer_stats)" >&2
  exit 1
fi
echo "ci/afl_smoke.sh: PASSED ($executions executions under afl-fuzz in ${seconds} s, no crash)"
