#!/usr/bin/env bash
# Tests of `allocfuzz minimize`: the violation kind is kept, a crash shrinks to two
# operations, a passing program is refused.
#
# usage: cli_minimize_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- minimize ---------------------------------------------------------------------------------

test_minimize_keeps_the_violation_kind() {
  ops big.ops '# allocfuzz ops v1' '# region: low' '# limit: 16777216' '# heap: test-overlap' \
    'malloc s7 1000' 'calloc s3 5 40' 'fill s7' 'foreign-grow 8192' 'free s3' 'check' \
    'realloc s7 5000' 'malloc s9 4096' 'malloc s12 77' 'free s9' 'malloc s4 300' 'fill s12' \
    'free s12' 'fail-grow 3'
  run "$AFT" minimize big.ops
  expect_status 0
  # The 3rd malloc is realloc's, and it returns a block that now lies under a foreign span.
  expect_stdout_line "minimize: big.ops: violation overlap at operation 6 (14 operations)"
  cat >expected.ops <<'EOF'
# allocfuzz ops v1
# region: low
# limit: 16777216
# heap: test-overlap
# expect: violation overlap
malloc s0 0
calloc s1 0 0
foreign-grow 1
realloc s0 1
EOF
  diff -u expected.ops big.min.ops >&2 || fail "unexpected minimized program"
  grep -q "^minimize: 14 -> 4 operations" out.txt || { show; fail "no op counts"; }
  run "$AFT" check big.min.ops
  expect_status 0
  expect_stdout_line "PASS big.min.ops (violation overlap at operation 3)"
}

test_minimize_a_crash_to_two_operations() {
  ops crash.ops '# allocfuzz ops v1' '# heap: test-crash' 'malloc s0 24' 'malloc s5 4096' \
    'fill s5' 'realloc s0 48' 'check' 'calloc s2 2 2' 'free s2' 'malloc s3 8'
  run "$AFT" minimize crash.ops -o small.ops
  expect_status 0
  # realloc(p, 0) frees, and free crashes.
  printf '%s\n' '# allocfuzz ops v1' '# heap: test-crash' '# expect: violation crash:SIGSEGV' \
    'malloc s0 0' 'realloc s0 0' >expected.ops
  diff -u expected.ops small.ops >&2 || fail "unexpected minimized crash"
  run "$AFT" check small.ops
  expect_status 0
  # A fuzzer artifact (binary, no extension): the default output name, the heap from --heap.
  printf '\x00\x00\x18\x08' >crash-0123abcd  # high; malloc s0 24; free s0
  run "$AFT" --heap=test-crash minimize crash-0123abcd
  expect_status 0
  printf '%s\n' '# allocfuzz ops v1' '# heap: test-crash' '# expect: violation crash:SIGSEGV' \
    'malloc s0 0' 'free s0' >expected.ops
  diff -u expected.ops crash-0123abcd.min.ops >&2 || fail "unexpected minimized artifact"
}

test_minimize_of_a_passing_program_exits_1() {
  mixed_program ok.ops
  run "$AF" minimize ok.ops
  expect_status 1
  expect_stdout_line "minimize: ok.ops: the program passes (ok): nothing to minimize"
  [[ ! -e ok.min.ops ]] || fail "an output was written"
}

cli_run_test
