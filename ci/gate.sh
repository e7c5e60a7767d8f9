#!/usr/bin/env bash
# The detection gates: prove, from an empty corpus, that the fuzzer still finds
#   ci/gate.sh [--wrong-heaps] [--fuzzer PATH] [--seconds N] [--jobs J] [--seeds "S..."] [--dict PATH|none] [ROW...]
#
#   - the defect gate (default): each historical defect of allocator/free_array/defects.h
#     (docs/DESIGN.md section 7), switched on in heap_fuzzer with ALLOCFUZZ_DEFECT=ROW, found as
#     any finding within the budget (default 60 s);
#   - the wrong-heap gate (--wrong-heaps): each row of the catalogue of wrong heaps
#     (fuzz/heaps/wrong/region_rows.h, then regionless_rows.h), fuzzed as wrong_heap_fuzzer's heap
#     with ALLOCFUZZ_HEAP=ROW, found WITH THE ROW'S KIND within the budget (default 30 s). A
#     different kind first (another shadow kind, a crash, a sanitizer report) fails the row: the
#     oracle that should have judged the wrong heap did not. A row whose GATE note is non-empty
#     is not fuzzed; the table lists it as "left to the unit test: NOTE".
#
# ROW... (default: every row of the mode's table) picks rows by name. For every row and every
# seed (default 1 2 3), one run of
#   ALLOCFUZZ_DEFECT=ROW heap_fuzzer -seed=S -max_total_time=N -dict=DICT -artifact_prefix=RUN/ \
#       -print_final_stats=0 EMPTY_CORPUS_DIR                   (ALLOCFUZZ_HEAP=ROW, wrong heaps)
# with a fresh, empty corpus (never corpus/ or repro/cases/: the gate measures finding the bug
# from scratch) and the target's dictionary (default fuzz/targets/heap_fuzzer.dict, the binary
# encoding's pieces generated from the operation table, which every fuzzing run of ours and
# ClusterFuzz's pass too; --dict none measures without it). The dictionary matters for the
# operations behind the extended prefix (fuzz/program/FORMAT.md): without it, a program needing
# `usable` after two mallocs took up to 20 s of a 30 s budget (wrong-usable-too-large), with it
# under 4 s. One libFuzzer worker per run, no fork mode; libFuzzer stops by itself at the
# first crash. Up to J runs (default: nproc) go at once, so each has a core to itself.
#
# Each run is timed (wall seconds, process start to exit) and classified by the first finding
# line the fuzzer printed on stderr (fuzz/oracle/report.h, finding_line; every finding, deaths
# included, prints one, with the kind `allocfuzz replay` reports for the same input):
#   allocfuzz-finding: kind=KIND op=N oracle="ORACLE"                -> KIND, ORACLE
# e.g. kind=heap-invariant:prev-free oracle="heap checker", kind=crash:SIGABRT oracle="heap's
# own check", kind=asan:heap-buffer-overflow oracle="sanitizer". A run without one (no
# finding within N seconds, a libFuzzer timeout or out-of-memory, a death no hook saw) is a MISS.
#
# Reading the table:
#   defect/row  the defect switched on, or the wrong heap fuzzed
#   median_s    median over the seeds of the seconds to the first finding (a miss counts as its
#               full run time); the goal is <= 10 s on one core for every defect, and about a
#               second for a wrong heap
#   worst_s     the slowest seed; it must stay under the budget N
#   kinds       the violation kinds found, distinct, in seed order (MISS if a seed found nothing)
#   oracle      which oracle fired first in each run, distinct, in seed order
#   result      found; FAILED: SEED missed / SEED found KIND (wrong heaps: expected KIND); or,
#               for a wrong heap with a GATE note, "left to the unit test: NOTE"
# Then the command that reruns one row, and for each failed run the command line that
# reproduces it and the log's tail.
#
# Exit status: 0 every run found its row (with its kind), 1 some run failed, 2 usage or setup
# error. Logs: one directory per run under a temporary directory, removed when everything passed
# and kept (and named) otherwise; a failed run's input is the crash-* file in its directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  sed -n '3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

wrong_heaps=0
fuzzer=""
seconds=""
jobs="$(nproc)"
seeds=(1 2 3)
dict="fuzz/targets/heap_fuzzer.dict"
picked=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --wrong-heaps) wrong_heaps=1; shift ;;
    --fuzzer) fuzzer="${2:?--fuzzer needs a path}"; shift 2 ;;
    --fuzzer=*) fuzzer="${1#*=}"; shift ;;
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --seeds) read -r -a seeds <<<"${2:?--seeds needs a list}"; shift 2 ;;
    --seeds=*) read -r -a seeds <<<"${1#*=}"; shift ;;
    --dict) dict="${2:?--dict needs a path or none}"; shift 2 ;;
    --dict=*) dict="${1#*=}"; shift ;;
    -h | --help) usage ;;
    -*) echo "ci/gate.sh: unknown option '$1'" >&2; usage ;;
    *) picked+=("$1"); shift ;;
  esac
done

# What differs between the two gates; everything below is shared.
if [[ $wrong_heaps -eq 1 ]]; then
  gate="wrong-heap gate"
  what="wrong heap"
  column="row"
  variable="ALLOCFUZZ_HEAP"
  : "${fuzzer:=build/fuzz/bin/wrong_heap_fuzzer}"
  : "${seconds:=30}"
  rerun_option="--wrong-heaps "
  tables=(fuzz/heaps/wrong/region_rows.h fuzz/heaps/wrong/regionless_rows.h)
  # The catalogue's rows: X("NAME", "KIND", "GATE", ... on one line (fuzz/heaps/wrong/catalogue.h).
  row_pattern='s/^ *X\("([^"]+)", "([^"]+)", "([^"]*)",.*/\1\x1f\2\x1f\3/p'
else
  gate="defect gate"
  what="defect"
  column="defect"
  variable="ALLOCFUZZ_DEFECT"
  : "${fuzzer:=build/fuzz/bin/heap_fuzzer}"
  : "${seconds:=60}"
  rerun_option=""
  tables=(allocator/free_array/defects.h)
  # ALLOCFUZZ_DEFECTS_TABLE's rows: X(kName, "name", ...; any finding counts, no row is gated.
  row_pattern='s/^[[:space:]]*X\(k[A-Za-z0-9]+, "([^"]+)".*/\1\x1f\x1f/p'
fi

[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "ci/gate.sh: --seconds must be a positive integer" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "ci/gate.sh: --jobs must be a positive integer" >&2; exit 2; }
[[ ${#seeds[@]} -gt 0 ]] || { echo "ci/gate.sh: --seeds is empty" >&2; exit 2; }

if [[ ! -x "$fuzzer" ]]; then
  echo "ci/gate.sh: no fuzzer at '$fuzzer'." >&2
  echo "  Build the fuzz preset first: cmake --workflow --preset fuzz   (or pass --fuzzer PATH)" >&2
  exit 2
fi
fuzzer="$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")"
dict_args=()
if [[ "$dict" != none ]]; then
  [[ -f "$dict" ]] || { echo "ci/gate.sh: no dictionary '$dict' (--dict PATH, or none)" >&2; exit 2; }
  dict="$(cd "$(dirname "$dict")" && pwd)/$(basename "$dict")"
  dict_args=(-dict="$dict")
fi

# The one list of rows is the mode's X-macro table(s): name, expected kind ("" for a defect:
# any finding), gate note ("" unless the row is left to the unit test).
known=()
declare -A expect=() note=()
for table in "${tables[@]}"; do
  [[ -f "$table" ]] || { echo "ci/gate.sh: no table '$table'" >&2; exit 2; }
  while IFS=$'\x1f' read -r name kind gate_note; do
    if [[ -v "expect[$name]" ]]; then
      echo "ci/gate.sh: row '$name' appears twice in ${tables[*]}" >&2
      exit 2
    fi
    known+=("$name")
    expect[$name]="$kind"
    note[$name]="$gate_note"
  done < <(sed -nE "$row_pattern" "$table")
done
if [[ ${#known[@]} -eq 0 ]]; then
  echo "ci/gate.sh: found no rows in ${tables[*]}" >&2
  exit 2
fi
rows=()
if [[ ${#picked[@]} -eq 0 ]]; then
  rows=("${known[@]}")
else
  for r in "${picked[@]}"; do
    if [[ ! -v "expect[$r]" ]]; then
      echo "ci/gate.sh: unknown $what '$r'; ${tables[*]} has: ${known[*]}" >&2
      exit 2
    fi
    rows+=("$r")
  done
fi
fuzzed=()
for r in "${rows[@]}"; do
  [[ -n "${note[$r]}" ]] || fuzzed+=("$r")
done

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

repro_command() {  # row seed
  # shellcheck disable=SC2016  # $d is for the reader's shell, not this one
  printf 'd=$(mktemp -d) && mkdir "$d/corpus" && %s=%s %s -seed=%s -max_total_time=%s %s-artifact_prefix="$d/" -print_final_stats=0 "$d/corpus"' \
    "$variable" "$1" "$fuzzer" "$2" "$seconds" "${dict_args[*]:+${dict_args[*]} }"
}

# One run: RUN/{corpus/,log,result}; result is "SECONDS<TAB>KIND<TAB>ORACLE". The other gate's
# variable is unset, so that a stray one in the caller's environment cannot change the heap.
run_one() {
  local row="$1" seed="$2" dir="$logs/$1.seed$2"
  mkdir -p "$dir/corpus"
  local start end status=0 fuzzer_pid
  start="$(now)"
  env -u ALLOCFUZZ_HEAP -u ALLOCFUZZ_DEFECT "$variable=$row" "$fuzzer" -seed="$seed" \
    -max_total_time="$seconds" "${dict_args[@]+"${dict_args[@]}"}" -artifact_prefix="$dir/" \
    -print_final_stats=0 "$dir/corpus" \
    >"$dir/log" 2>&1 &
  fuzzer_pid=$!
  trap 'kill -- "$fuzzer_pid" 2>/dev/null; exit 130' TERM
  wait "$fuzzer_pid" || status=$?
  end="$(now)"
  local secs
  secs="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')"
  printf '%s\t%s\texit %s\n' "$secs" "$(classify "$dir/log")" "$status" >"$dir/result"
}

total_start="$(now)"
echo "ci/gate.sh: $gate: ${#fuzzed[@]} ${what}(s) x seeds ${seeds[*]}, empty corpus, budget" \
  "${seconds} s per run, $jobs at a time; fuzzer $fuzzer; dictionary ${dict}"
for row in "${fuzzed[@]+"${fuzzed[@]}"}"; do
  for seed in "${seeds[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
    run_one "$row" "$seed" &
    pids+=("$!")
  done
done
wait || true
trap - INT TERM
total_secs="$(awk -v s="$total_start" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }')"

# --- The table: one line per row, columns as wide as their widest cell. ------------------------
cells=()     # the table's cells, six per line, header first
failures=()  # one per failed run: "ROW SEED SECONDS WHAT", WHAT the rest of the line
cells+=("$column" median_s worst_s kinds oracle result)
for row in "${rows[@]}"; do
  if [[ -n "${note[$row]}" ]]; then
    cells+=("$row" - - "${expect[$row]}" - "left to the unit test: ${note[$row]}")
    continue
  fi
  times=()
  kinds=()
  oracles=()
  failed=()
  for seed in "${seeds[@]}"; do
    result="$logs/$row.seed$seed/result"
    if [[ -f "$result" ]]; then
      IFS=$'\t' read -r secs kind oracle _ <"$result"
    else
      secs="$seconds"; kind="MISS"; oracle="run did not finish"
    fi
    times+=("$secs")
    if [[ "$kind" == MISS ]]; then
      failures+=("$row $seed $secs MISS $oracle after $secs s")
      kinds+=("MISS")
      failed+=("$seed"$'\t'"missed")
    else
      kinds+=("$kind")
      oracles+=("$oracle")
      if [[ -n "${expect[$row]}" && "$kind" != "${expect[$row]}" ]]; then
        failures+=("$row $seed $secs WRONG-KIND found $kind (oracle \"$oracle\") after $secs s, expected ${expect[$row]}")
        failed+=("$seed"$'\t'"found $kind")
      fi
    fi
  done
  read -r median worst < <(printf '%s\n' "${times[@]}" | sort -g |
    awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
                              printf "%.2f %.2f\n", m, t[NR] }')
  if [[ ${#failed[@]} -eq 0 ]]; then
    verdict="found"
  else
    # Seeds that failed the same way share a clause: "seeds 1 3 found crash:SIGSEGV".
    verdict="FAILED: $(printf '%s\n' "${failed[@]}" | awk -F'\t' '
      !($2 in seeds) { order[++n] = $2 } { seeds[$2] = seeds[$2] (seeds[$2] == "" ? "" : " ") $1; count[$2]++ }
      END { for (i = 1; i <= n; i++) printf "%s%s %s %s", (i > 1 ? ", " : ""),
                                             (count[order[i]] > 1 ? "seeds" : "seed"), seeds[order[i]], order[i] }')"
    [[ -z "${expect[$row]}" ]] || verdict+=" (expected ${expect[$row]})"
  fi
  cells+=("$row" "$median" "$worst" "$(distinct "${kinds[@]}")"
          "$(distinct "${oracles[@]+"${oracles[@]}"}" | sed 's/^$/-/')" "$verdict")
done
echo
printf '%s\n' "${cells[@]}" | awk '
  { cell[NR - 1] = $0; c = (NR - 1) % 6; if (length($0) > width[c]) width[c] = length($0) }
  END {
    for (i = 0; i < NR; i += 6) {
      printf "%-*s %*s %*s  %-*s  %-*s  %s\n", width[0], cell[i], width[1], cell[i + 1],
             width[2], cell[i + 2], width[3], cell[i + 3], width[4], cell[i + 4], cell[i + 5]
    }
  }'
echo
left=""
[[ $wrong_heaps -eq 0 ]] || left="; $((${#rows[@]} - ${#fuzzed[@]})) left to the unit test"
echo "ci/gate.sh: ${#fuzzed[@]} ${what}(s) x ${#seeds[@]} seed(s) in ${total_secs} s wall, $jobs job(s)$left"
if [[ ${#fuzzed[@]} -gt 0 ]]; then
  echo "ci/gate.sh: one row again: ci/gate.sh ${rerun_option}${fuzzed[0]}   (any row: ci/gate.sh ${rerun_option}ROW)"
  echo "ci/gate.sh: one run by hand: $(repro_command "${fuzzed[0]}" "${seeds[0]}")"
fi

if [[ ${#failures[@]} -gt 0 ]]; then
  for failure in "${failures[@]}"; do
    read -r row seed secs tag reason <<<"$failure"
    dir="$logs/$row.seed$seed"
    echo
    echo "$tag: $row, seed $seed: $reason. Reproduce with:"
    echo "  $(repro_command "$row" "$seed")"
    if compgen -G "$dir/crash-*" >/dev/null; then
      echo "  the input: $(compgen -G "$dir/crash-*" | head -n 1) (run it: $variable=$row $fuzzer FILE)"
    fi
    # The log's last lines, without libFuzzer's closing dictionary dump.
    echo "--- tail of $dir/log"
    awk '/^###### Recommended dictionary/ { skip = 1 } !skip { print } /^###### End of recommended/ { skip = 0 }' \
      "$dir/log" 2>/dev/null | tail -n 20 || true
  done
  echo
  echo "ci/gate.sh: FAILED: ${#failures[@]} run(s) did not find their $what within ${seconds} s; logs in $logs"
  exit 1
fi
rm -rf "$logs"
if [[ $wrong_heaps -eq 1 ]]; then
  echo "ci/gate.sh: PASSED: every wrong heap not left to the unit test found with its kind by every seed within ${seconds} s"
else
  echo "ci/gate.sh: PASSED: every defect found by every seed within ${seconds} s"
fi
