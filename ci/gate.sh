#!/usr/bin/env bash
# The detection gate: proves that heap_fuzzer still finds each historical defect of
# allocator/free_array/defects.h (docs/DESIGN.md section 7) within seconds, starting from nothing.
#
#   ci/gate.sh [--fuzzer PATH] [--seconds N] [--jobs J] [--seeds "S..."] [DEFECT...]
#
# For every DEFECT (default: every defect named in allocator/free_array/defects.h) and every seed (default
# 1 2 3), one run of
#   ALLOCFUZZ_DEFECT=DEFECT heap_fuzzer -seed=S -max_total_time=N -artifact_prefix=RUN/ \
#       -print_final_stats=0 EMPTY_CORPUS_DIR
# with a fresh, empty corpus (never corpus/ or repro/cases/: the gate measures finding the bug
# from scratch). One libFuzzer worker per run, no fork mode; libFuzzer stops by itself at the
# first crash. Up to J runs (default: nproc) go at once, so each has a core to itself.
#
# Each run is timed (wall seconds, process start to exit) and classified by the first finding
# line the fuzzer printed on stderr (fuzz/oracle/report.h, finding_line; every finding, deaths
# included, prints one, with the kind `allocfuzz replay` reports for the same input):
#   allocfuzz-finding: kind=KIND op=N oracle="ORACLE"                -> KIND, ORACLE
# e.g. kind=heap-invariant:prev-free oracle="heap checker", kind=crash:SIGABRT oracle="heap's
# own check", kind=sanitizer:heap-buffer-overflow oracle="sanitizer". A run without one (no
# finding within N seconds, a libFuzzer timeout or out-of-memory, a death no hook saw) is a MISS.
#
# Reading the table:
#   defect    the defect switched on (ALLOCFUZZ_DEFECT)
#   median_s  median over the seeds of the seconds to the first finding (a miss counts as its
#             full run time); the goal is <= 10 s on one core for every defect
#   worst_s   the slowest seed; it must stay under the budget N (default 60 s)
#   kinds     the violation kinds found, distinct, in seed order (MISS if a seed found nothing)
#   oracle    which oracle fired first in each run, distinct, in seed order
# Then one line per miss with the command line that reproduces it, and the logs' tails.
#
# Exit status: 0 every run found its defect, 1 some run missed, 2 usage or setup error.
# Logs: one directory per run under a temporary directory, removed when everything passed and
# kept (and named) otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

fuzzer="build/fuzz/bin/heap_fuzzer"
seconds=60
jobs="$(nproc)"
seeds=(1 2 3)
defects=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fuzzer) fuzzer="${2:?--fuzzer needs a path}"; shift 2 ;;
    --fuzzer=*) fuzzer="${1#*=}"; shift ;;
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --seeds) read -r -a seeds <<<"${2:?--seeds needs a list}"; shift 2 ;;
    --seeds=*) read -r -a seeds <<<"${1#*=}"; shift ;;
    -h | --help) usage ;;
    -*) echo "ci/gate.sh: unknown option '$1'" >&2; usage ;;
    *) defects+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "ci/gate.sh: --seconds must be a positive integer" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "ci/gate.sh: --jobs must be a positive integer" >&2; exit 2; }
[[ ${#seeds[@]} -gt 0 ]] || { echo "ci/gate.sh: --seeds is empty" >&2; exit 2; }

if [[ ! -x "$fuzzer" ]]; then
  echo "ci/gate.sh: no fuzzer at '$fuzzer'." >&2
  echo "  Build the fuzz preset first: cmake --workflow --preset fuzz   (or pass --fuzzer PATH)" >&2
  exit 2
fi
fuzzer="$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")"

# The one list of defects is the X-macro table in allocator/free_array/defects.h.
mapfile -t known < <(sed -nE 's/^[[:space:]]*X\(k[A-Za-z0-9]+, "([^"]+)".*/\1/p' allocator/free_array/defects.h)
if [[ ${#known[@]} -eq 0 ]]; then
  echo "ci/gate.sh: found no defects in allocator/free_array/defects.h (ALLOCFUZZ_DEFECTS_TABLE)" >&2
  exit 2
fi
if [[ ${#defects[@]} -eq 0 ]]; then
  defects=("${known[@]}")
else
  for d in "${defects[@]}"; do
    if ! printf '%s\n' "${known[@]}" | grep -qxF -- "$d"; then
      echo "ci/gate.sh: unknown defect '$d'; allocator/free_array/defects.h has: ${known[*]}" >&2
      exit 2
    fi
  done
fi

logs="$(mktemp -d "${TMPDIR:-/tmp}/allocfuzz-gate.XXXXXX")"
pids=()
cleanup_children() {
  local pid
  for pid in "${pids[@]}"; do kill -- "$pid" 2>/dev/null || true; done
}
trap 'cleanup_children; echo "ci/gate.sh: interrupted; logs in $logs" >&2; exit 130' INT TERM

now() { date +%s.%N; }

# The first finding in a run's log, as "KIND<TAB>ORACLE"; MISS<TAB>REASON if none.
classify() {
  awk '
    function out(kind, oracle) { printf "%s\t%s\n", kind, oracle; done = 1; exit }
    done { next }
    /^allocfuzz-finding: / {
      kind = "?"; oracle = "?"
      if (match($0, / kind=[^ ]+/)) kind = substr($0, RSTART + 6, RLENGTH - 6)
      if (match($0, / oracle="[^"]*"/)) oracle = substr($0, RSTART + 9, RLENGTH - 10)
      out(kind, oracle)
    }
    /ERROR: libFuzzer: timeout/ { out("MISS", "libFuzzer timeout (one input ran too long)") }
    /ERROR: libFuzzer: out-of-memory/ { out("MISS", "libFuzzer out-of-memory") }
    /ERROR: libFuzzer: deadly signal/ { out("MISS", "unrecognized deadly signal (see log)") }
    END { if (!done) printf "MISS\tno finding\n" }
  ' "$1"
}

# The distinct non-empty arguments, in order, joined by ", ".
distinct() { printf '%s\n' "$@" | awk 'NF && !seen[$0]++' | paste -sd, - | sed 's/,/, /g'; }

repro_command() {  # defect seed
  # shellcheck disable=SC2016  # $d is for the reader's shell, not this one
  printf 'd=$(mktemp -d) && mkdir "$d/corpus" && ALLOCFUZZ_DEFECT=%s %s -seed=%s -max_total_time=%s -artifact_prefix="$d/" -print_final_stats=0 "$d/corpus"' \
    "$1" "$fuzzer" "$2" "$seconds"
}

# One run: RUN/{corpus/,log,result}; result is "SECONDS<TAB>KIND<TAB>ORACLE".
run_one() {
  local defect="$1" seed="$2" dir="$logs/$1.seed$2"
  mkdir -p "$dir/corpus"
  local start end status=0 fuzzer_pid
  start="$(now)"
  ALLOCFUZZ_DEFECT="$defect" "$fuzzer" -seed="$seed" -max_total_time="$seconds" \
    -artifact_prefix="$dir/" -print_final_stats=0 "$dir/corpus" >"$dir/log" 2>&1 &
  fuzzer_pid=$!
  trap 'kill -- "$fuzzer_pid" 2>/dev/null; exit 130' TERM
  wait "$fuzzer_pid" || status=$?
  end="$(now)"
  local secs
  secs="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')"
  printf '%s\t%s\texit %s\n' "$secs" "$(classify "$dir/log")" "$status" >"$dir/result"
}

total_start="$(now)"
echo "ci/gate.sh: ${#defects[@]} defect(s) x seeds ${seeds[*]}, empty corpus, budget ${seconds} s per run," \
  "$jobs at a time; fuzzer $fuzzer"
for defect in "${defects[@]}"; do
  for seed in "${seeds[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
    run_one "$defect" "$seed" &
    pids+=("$!")
  done
done
wait || true
trap - INT TERM
total_secs="$(awk -v s="$total_start" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }')"

# --- The table. ---------------------------------------------------------------------------------
misses=()
printf '\n%-14s %8s %8s  %-52s %s\n' defect median_s worst_s kinds oracle
for defect in "${defects[@]}"; do
  times=()
  kinds=()
  oracles=()
  for seed in "${seeds[@]}"; do
    result="$logs/$defect.seed$seed/result"
    if [[ -f "$result" ]]; then
      IFS=$'\t' read -r secs kind oracle _ <"$result"
    else
      secs="$seconds"; kind="MISS"; oracle="run did not finish"
    fi
    times+=("$secs")
    if [[ "$kind" == MISS ]]; then
      misses+=("$defect $seed $secs $oracle")
      kinds+=("MISS")
    else
      kinds+=("$kind")
      oracles+=("$oracle")
    fi
  done
  read -r median worst < <(printf '%s\n' "${times[@]}" | sort -g |
    awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
                              printf "%.2f %.2f\n", m, t[NR] }')
  printf '%-14s %8s %8s  %-52s %s\n' "$defect" "$median" "$worst" "$(distinct "${kinds[@]}")" \
    "$(distinct "${oracles[@]+"${oracles[@]}"}" | sed 's/^$/-/')"
done
echo
echo "ci/gate.sh: ${#defects[@]} defect(s) x ${#seeds[@]} seed(s) in ${total_secs} s wall, $jobs job(s)"
echo "ci/gate.sh: one run by hand: $(repro_command "${defects[0]}" "${seeds[0]}")"

if [[ ${#misses[@]} -gt 0 ]]; then
  for miss in "${misses[@]}"; do
    read -r defect seed secs reason <<<"$miss"
    echo
    echo "MISS: $defect, seed $seed: $reason after $secs s. Reproduce with:"
    echo "  $(repro_command "$defect" "$seed")"
    # The log's last lines, without libFuzzer's closing dictionary dump.
    echo "--- tail of $logs/$defect.seed$seed/log"
    awk '/^###### Recommended dictionary/ { skip = 1 } !skip { print } /^###### End of recommended/ { skip = 0 }' \
      "$logs/$defect.seed$seed/log" 2>/dev/null | tail -n 20 || true
  done
  echo
  echo "ci/gate.sh: FAILED: ${#misses[@]} run(s) missed their defect within ${seconds} s; logs in $logs"
  exit 1
fi
rm -rf "$logs"
echo "ci/gate.sh: PASSED: every defect found by every seed within ${seconds} s"
