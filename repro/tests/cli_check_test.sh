#!/usr/bin/env bash
# Tests of `allocfuzz check`: exit status against the `# expect:` header.
#
# usage: cli_check_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- check ------------------------------------------------------------------------------------

test_check_pass_and_fail_exit_status() {
  ops pass.ops '# allocfuzz ops v1' '# expect: ok' 'malloc s0 8' 'free s0'
  ops fail.ops '# allocfuzz ops v1' '# expect: violation overlap' 'malloc s0 8'
  ops overlap.ops '# allocfuzz ops v1' '# heap: test-overlap' '# expect: violation overlap' \
    'malloc s0 8' 'malloc s1 8' 'malloc s2 8'
  run "$AF" check pass.ops
  expect_status 0
  expect_stdout_line "PASS pass.ops (ok)"
  run "$AF" check fail.ops
  expect_status 1
  expect_stdout_line "FAIL fail.ops: expected violation overlap, got ok"
  run "$AF" check pass.ops fail.ops
  expect_status 1
  run "$AFT" check overlap.ops pass.ops
  expect_status 0
  expect_stdout_line "PASS overlap.ops (violation overlap at operation 2)"
  # Expecting ok of a program that fails prints the report after FAIL.
  ops wrong.ops '# allocfuzz ops v1' '# heap: test-crash' '# expect: ok' 'malloc s0 8' 'free s0'
  run "$AFT" check wrong.ops
  expect_status 1
  expect_stdout_line "FAIL wrong.ops: expected ok, got violation crash:SIGSEGV at operation 1"
  expect_stdout_line "allocfuzz: violation crash:SIGSEGV at operation 1: free s0"
}

test_check_requires_an_expect_header() {
  ops none.ops '# allocfuzz ops v1' 'malloc s0 8'
  run "$AF" check none.ops
  expect_status 2
  expect_stderr "none.ops: no '# expect:' header"
}

cli_run_test
