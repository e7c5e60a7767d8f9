#!/usr/bin/env bash
# Tests of the gates' judgement (ci/gate.sh, both the defect gate and --wrong-heaps): a copy of
# the script runs in a scratch tree with made-up tables and a fake fuzzer that prints, for each
# row and seed, the finding line a table of the test chooses, so that every verdict (found, found
# as another kind, a sanitizer report instead, a miss, a row left to the unit test) is exercised
# in the dev build, without libFuzzer. The real gates run in the fuzz build (ctest --preset gate).
#
# usage: cli_gate_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
gate_script="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../ci" && pwd)/gate.sh"
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# A scratch tree the gate can run in: ci/gate.sh, the tables (written by each test), and
# fake_fuzzer, which looks its row (ALLOCFUZZ_HEAP, else ALLOCFUZZ_DEFECT) and -seed= up in
# answers.txt ("ROW SEED|* LINE...": LINE printed on stderr and exit 1; no line: exit 0, a miss)
# and logs each call as "heap=H defect=D seed=S dict=FILE" in calls.txt (FILE: the -dict=
# argument's file name, empty without one). The tree has the default dictionary's file.
make_tree() {
  mkdir -p tree/ci tree/fuzz/heaps/wrong tree/allocator/free_array tree/fuzz/targets
  cp "$gate_script" tree/ci/gate.sh
  printf '%s\n' 'malloc_s0="\x00"' >tree/fuzz/targets/heap_fuzzer.dict
  cat >tree/fake_fuzzer <<'FAKE'
#!/usr/bin/env bash
seed=""
dict=""
for arg in "$@"; do
  [[ "$arg" != -seed=* ]] || seed="${arg#-seed=}"
  [[ "$arg" != -dict=* ]] || dict="$(basename "${arg#-dict=}")"
done
row="${ALLOCFUZZ_HEAP:-${ALLOCFUZZ_DEFECT:-}}"
echo "heap=${ALLOCFUZZ_HEAP:-} defect=${ALLOCFUZZ_DEFECT:-} seed=$seed dict=$dict" >>"$FAKE_DIR/calls.txt"
line="$(awk -v r="$row" -v s="$seed" '$1 == r && ($2 == s || $2 == "*") {
  sub(/^[^ ]+ [^ ]+ /, ""); print; exit }' "$FAKE_DIR/answers.txt")"
[[ -n "$line" ]] || exit 0
echo "$line" >&2
exit 1
FAKE
  chmod +x tree/fake_fuzzer
  export FAKE_DIR="$PWD"
  : >calls.txt
}

# The catalogue's tables in the format of fuzz/heaps/wrong/regionless_rows.h: three region rows
# (wrong-gated with a GATE note) and one region-less row, on two lines each like the real ones.
write_catalogue() {
  cat >tree/fuzz/heaps/wrong/region_rows.h <<'ROWS'
#define ALLOCFUZZ_WRONG_REGION_HEAPS(X)                                   \
  X("wrong-a", "overlap", "",                                             \
    A, 1, "malloc s0 17\nmalloc s1 24\n", "message", "boundary")          \
  X("wrong-b", "out-of-region", "",                                       \
    B, 1, "malloc s0 24\n", "message", "boundary")                        \
  X("wrong-gated", "spurious-null", "The encoding cannot fail one growth and not the next.", \
    C, 1, "fail-grow 1\n", "message", "boundary")
ROWS
  cat >tree/fuzz/heaps/wrong/regionless_rows.h <<'ROWS'
#define ALLOCFUZZ_WRONG_REGIONLESS_HEAPS(X)                               \
  X("wrong-glibc-c", "calloc-not-zero", "",                               \
    D, 0, "calloc s0 1 4096\n", "message", "boundary")
ROWS
}

# The line of the table whose first cell is $1, its seconds (if any) replaced by S, runs of
# spaces squeezed.
table_line() {
  awk -v r="$1" '$1 == r { sub(/ +[0-9.]+ +[0-9.]+  /, " S S  "); print }' out.txt |
    sed -E 's/ +/ /g'
}

expect_table_line() {  # row expected-line (cells separated by one space, seconds as S)
  local got
  got="$(table_line "$1")"
  [[ "$got" == "$2" ]] || { show; fail "table line of $1 is '$got', expected '$2'"; }
}

test_wrong_heap_gate_passes_rows_found_with_their_kind_and_lists_gated_rows() {
  make_tree
  write_catalogue
  cat >answers.txt <<'EOF2'
wrong-a * allocfuzz-finding: kind=overlap op=1 oracle="shadow model"
wrong-b * allocfuzz-finding: kind=out-of-region op=0 oracle="shadow model"
wrong-glibc-c * allocfuzz-finding: kind=calloc-not-zero op=0 oracle="shadow model"
EOF2
  # A defect in the caller's environment must not reach the wrong heaps.
  ALLOCFUZZ_DEFECT=zero-size run bash tree/ci/gate.sh --wrong-heaps --fuzzer "$PWD/tree/fake_fuzzer" \
    --jobs 1 --seeds "1 2"
  expect_status 0
  expect_table_line row "row median_s worst_s kinds oracle result"
  expect_table_line wrong-a "wrong-a S S overlap shadow model found"
  expect_table_line wrong-b "wrong-b S S out-of-region shadow model found"
  expect_table_line wrong-glibc-c "wrong-glibc-c S S calloc-not-zero shadow model found"
  expect_table_line wrong-gated "wrong-gated - - spurious-null - left to the unit test: The\
 encoding cannot fail one growth and not the next."
  expect_stdout_line "ci/gate.sh: one row again: ci/gate.sh --wrong-heaps wrong-a   (any row: ci/gate.sh --wrong-heaps ROW)"
  expect_stdout_line "ci/gate.sh: PASSED: every wrong heap not left to the unit test found with its kind by every seed within 30 s"
  # Every fuzzed row once per seed, in table order, the gated row never.
  printf 'heap=%s defect= seed=%s dict=heap_fuzzer.dict\n' wrong-a 1 wrong-a 2 wrong-b 1 wrong-b 2 \
    wrong-glibc-c 1 wrong-glibc-c 2 >expected_calls.txt
  diff -u expected_calls.txt calls.txt >&2 || fail "the fuzzer was not called once per fuzzed row and seed"
}

test_wrong_heap_gate_fails_another_kind_a_sanitizer_report_and_a_miss() {
  make_tree
  write_catalogue
  cat >answers.txt <<'EOF2'
wrong-a 1 allocfuzz-finding: kind=overlap op=1 oracle="shadow model"
wrong-a 2 allocfuzz-finding: kind=out-of-region op=1 oracle="shadow model"
wrong-a 3 allocfuzz-finding: kind=out-of-region op=2 oracle="shadow model"
wrong-b * allocfuzz-finding: kind=asan:heap-buffer-overflow op=0 oracle="sanitizer"
EOF2
  run bash tree/ci/gate.sh --wrong-heaps --fuzzer "$PWD/tree/fake_fuzzer" --jobs 1
  expect_status 1
  expect_table_line wrong-a "wrong-a S S overlap, out-of-region shadow model FAILED: seeds 2 3\
 found out-of-region (expected overlap)"
  expect_table_line wrong-b "wrong-b S S asan:heap-buffer-overflow sanitizer FAILED: seeds\
 1 2 3 found asan:heap-buffer-overflow (expected out-of-region)"
  expect_table_line wrong-glibc-c "wrong-glibc-c S S MISS - FAILED: seeds 1 2 3 missed (expected\
 calloc-not-zero)"
  grep -qE '^WRONG-KIND: wrong-a, seed 2: found out-of-region \(oracle "shadow model"\) after [0-9.]+ s, expected overlap\. Reproduce with:$' out.txt ||
    { show; fail "no WRONG-KIND line for wrong-a seed 2"; }
  grep -qE '^MISS: wrong-glibc-c, seed 3: no finding after [0-9.]+ s\. Reproduce with:$' out.txt ||
    { show; fail "no MISS line for wrong-glibc-c seed 3"; }
  grep -qE "^ci/gate.sh: FAILED: 8 run\(s\) did not find their wrong heap within 30 s; logs in " out.txt ||
    { show; fail "no FAILED summary counting 8 runs"; }
  rm -rf "$(sed -nE 's/^ci\/gate.sh: FAILED: .*; logs in (.*)$/\1/p' out.txt)"
}

test_wrong_heap_gate_refuses_an_unknown_row() {
  make_tree
  write_catalogue
  run bash tree/ci/gate.sh --wrong-heaps --fuzzer "$PWD/tree/fake_fuzzer" wrong-nope
  expect_status 2
  expect_stderr "ci/gate.sh: unknown wrong heap 'wrong-nope'; fuzz/heaps/wrong/region_rows.h\
 fuzz/heaps/wrong/regionless_rows.h has: wrong-a wrong-b wrong-gated wrong-glibc-c"
}

test_gate_passes_the_dictionary_it_is_given_or_none() {
  make_tree
  write_catalogue
  echo 'wrong-a * allocfuzz-finding: kind=overlap op=1 oracle="shadow model"' >answers.txt
  printf '%s\n' 'x="\x01"' >other.dict
  run bash tree/ci/gate.sh --wrong-heaps --fuzzer "$PWD/tree/fake_fuzzer" --jobs 1 --seeds 1 \
    --dict "$PWD/other.dict" wrong-a
  expect_status 0
  # The command printed for running one row by hand passes the same dictionary.
  grep -qF -- "-max_total_time=30 -dict=$PWD/other.dict -artifact_prefix=" out.txt ||
    { show; fail "the run-by-hand command lacks -dict=$PWD/other.dict"; }
  run bash tree/ci/gate.sh --wrong-heaps --fuzzer "$PWD/tree/fake_fuzzer" --jobs 1 --seeds 2 \
    --dict=none wrong-a
  expect_status 0
  printf 'heap=wrong-a defect= seed=1 dict=other.dict\nheap=wrong-a defect= seed=2 dict=\n' \
    >expected_calls.txt
  diff -u expected_calls.txt calls.txt >&2 || fail "the gate did not pass --dict on as given"
  run bash tree/ci/gate.sh --wrong-heaps --fuzzer "$PWD/tree/fake_fuzzer" --dict nowhere.dict wrong-a
  expect_status 2
  expect_stderr "ci/gate.sh: no dictionary 'nowhere.dict' (--dict PATH, or none)"
}

test_defect_gate_accepts_any_kind_and_fails_a_miss() {
  make_tree
  cat >tree/allocator/free_array/defects.h <<'ROWS'
#define ALLOCFUZZ_DEFECTS_TABLE(X) \
  X(kOne, "one", "a")              \
  X(kTwo, "two", "b")
ROWS
  cat >answers.txt <<'EOF2'
one * allocfuzz-finding: kind=crash:SIGABRT op=3 oracle="heap's own check"
two 1 allocfuzz-finding: kind=heap-invariant:prev-free op=2 oracle="heap checker"
EOF2
  ALLOCFUZZ_HEAP=wrong-a run bash tree/ci/gate.sh --fuzzer "$PWD/tree/fake_fuzzer" --jobs 1 --seeds "1 2"
  expect_status 1
  expect_table_line defect "defect median_s worst_s kinds oracle result"
  expect_table_line one "one S S crash:SIGABRT heap's own check found"
  expect_table_line two "two S S heap-invariant:prev-free, MISS heap checker FAILED: seed 2 missed"
  if grep -q '^heap=wrong-a' calls.txt; then fail "the defect gate passed ALLOCFUZZ_HEAP on"; fi
  rm -rf "$(sed -nE 's/^ci\/gate.sh: FAILED: .*; logs in (.*)$/\1/p' out.txt)"
}

cli_run_test
