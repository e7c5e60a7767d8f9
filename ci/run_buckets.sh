#!/usr/bin/env bash
# The bucket test of `allocfuzz run` and `allocfuzz gate` on the fuzz build (ci/test.sh runs it):
#   1. `run` fuzzes wrong-two-bugs (fuzz/heaps/wrong/region_heaps.h: content-corrupted in malloc,
#      common, and in realloc, four to ten times rarer) through wrong_heap_fuzzer for SECONDS
#      (default 25: the rare bug is usually first seen after 1 to 10 s on two shared cores) from
#      the seeds, and must report both buckets, each with a minimized repro that replays with its
#      signature (kind and operation) and passes `check`; exit status 1;
#   2. a second `run`, 1 s (the seeds meet the malloc bug at once), with both buckets ignored
#      (--ignore and --ignore-file): exit 0 with its rows marked ignored, or 1 only with a
#      bucket it names new (a bug of the heap neither row is);
#   3. `gate kr_fuzzer 5`: kr's regression cases and 5 s of fuzzing, clean: exit 0.
# About 45 s in all.
#
# usage: ci/run_buckets.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-25}
cli=build/fuzz/bin/allocfuzz_testheaps
[[ -x $cli && -x build/fuzz/bin/wrong_heap_fuzzer ]] || {
  echo "ci/run_buckets.sh: no fuzz build; cmake --workflow --preset fuzz" >&2
  exit 2
}
out="$(mktemp -d)"
fail() {
  echo "ci/run_buckets.sh: $*; the output is in $out" >&2
  exit 1
}

# 1. Both buckets, each minimized to a repro of its own signature.
rm -rf artifacts/wrong_heap_fuzzer work/wrong_heap_fuzzer
status=0
"$cli" --heap=wrong-two-bugs run wrong_heap_fuzzer "$seconds" >"$out/run.out" 2>"$out/run.err" ||
  status=$?
sed -n '/^buckets: /,$p' "$out/run.out"
[[ $status -eq 1 ]] || fail "run exited with $status, not 1"
for op in malloc realloc; do
  row=$(grep -E "^  content-corrupted op=$op +[0-9]+ +[0-9.]+ s  new  " "$out/run.out") ||
    fail "no bucket content-corrupted op=$op"
  repro=$(awk '{ print $NF }' <<<"$row")
  [[ $repro == *.min.ops && -f $repro ]] || fail "the bucket of $op has no minimized repro ($repro)"
  "$cli" replay "$repro" >"$out/replay.$op" || true
  grep -qE "^allocfuzz: violation content-corrupted at operation [0-9]+: $op " "$out/replay.$op" ||
    fail "$repro does not replay as content-corrupted in $op"
  "$cli" check "$repro" >/dev/null || fail "$repro does not pass check"
done

# 2. Ignored: still rows, marked so, and not new.
printf '# the realloc bug, known\ncontent-corrupted op=realloc\n' >"$out/ignore.txt"
status=0
"$cli" --heap=wrong-two-bugs run wrong_heap_fuzzer 1 --ignore='content-corrupted op=malloc' \
  --ignore-file="$out/ignore.txt" >"$out/ignored.out" 2>"$out/ignored.err" || status=$?
sed -n '/^buckets: /,$p' "$out/ignored.out"
if [[ $status -eq 0 ]]; then
  grep -qE "^buckets: [0-9]+ \(0 new\)" "$out/ignored.out" || fail "exit 0 with new buckets"
  grep -qE "^  content-corrupted op=malloc +[0-9]+ +[0-9.]+ s  ignored  " "$out/ignored.out" ||
    fail "the malloc bucket is not marked ignored"
elif [[ $status -ne 1 ]] || ! grep -qE "  new  " "$out/ignored.out"; then
  fail "run with both buckets ignored exited with $status"
fi

# 3. A clean gate on a correct plugin.
status=0
build/fuzz/bin/allocfuzz gate kr_fuzzer 5 >"$out/gate.out" 2>"$out/gate.err" || status=$?
tail -n 3 "$out/gate.out"
[[ $status -eq 0 ]] || fail "gate kr_fuzzer 5 exited with $status"
grep -qx "allocfuzz gate: pass: 0 failed cases, no new bucket" "$out/gate.out" || fail "no pass line"
rm -rf "$out"
echo "ci/run_buckets.sh: passed"
