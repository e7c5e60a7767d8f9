#!/usr/bin/env bash
# Tests of the historical defect switches on the command line (`# defect:`, --defect, list,
# minimize), and their refusal in a build without them.
#
# usage: cli_defects_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- defects ----------------------------------------------------------------------------------

# The defects of free-array, in the order of allocator/free_array/defects.h.
known_defects="addr32, shared-break, small-grow, stale-largest, zero-size, prev-move-tag, \
gap-reuse, double-align"

# small-grow: realloc growing by at most 16 bytes returns the block unchanged.
small_grow_program() {
  ops "$1" '# allocfuzz ops v1' '# defect: small-grow' '# expect: violation usable-too-small' \
    'malloc s0 8' 'realloc s0 10'
}

test_check_a_defect_case_then_replay_it_without_the_defect() {
  needs_defects
  small_grow_program sg.ops
  run "$AF" check sg.ops
  expect_status 0
  expect_stdout_line "PASS sg.ops (violation usable-too-small at operation 1)"
  run "$AF" replay sg.ops
  expect_status 1
  expect_stdout_line "defect: small-grow is switched on (--defect=none replays without it)"
  expect_stdout_line "allocfuzz: violation usable-too-small at operation 1: realloc s0 10"
  # The same program on the correct heap.
  run "$AF" replay --defect=none sg.ops
  expect_status 0
  grep -q "^ok: 2 operations, " out.txt || { show; fail "no ok line without the defect"; }
  ! grep -q "^defect:" out.txt || { show; fail "a defect is said to be on"; }
  run "$AF" --defect=none check sg.ops
  expect_status 1
  expect_stdout_line "FAIL sg.ops: expected violation usable-too-small, got ok"
}

test_rejects_an_unknown_defect() {
  needs_defects
  ops bad.ops '# allocfuzz ops v1' '# defect: bogus' '# expect: ok' 'malloc s0 8'
  for verb in replay check minimize; do
    run "$AF" "$verb" bad.ops
    expect_status 2
    expect_stderr "bad.ops: unknown defect 'bogus' (known: $known_defects)"
    [[ ! -s out.txt ]] || { show; fail "$verb ran something"; }
  done
  ops ok.ops '# allocfuzz ops v1' '# expect: ok' 'malloc s0 8'
  run "$AF" --defect=nope check ok.ops
  expect_status 2
  expect_stderr "ok.ops: unknown defect 'nope' (known: $known_defects)"
  # A heap without defects.
  small_grow_program sg.ops
  run "$AFT" --heap=test-crash replay sg.ops
  expect_status 2
  expect_stderr "sg.ops: unknown defect 'small-grow' (heap 'test-crash' has none)"
  # run refuses it before anything starts, in any build.
  run "$AF" --defect=nope run heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz run: unknown defect 'nope' (known: $known_defects)"
  # An empty name is a usage error (removing the defect is --defect=none).
  run "$AF" --defect= check ok.ops
  expect_status 2
  grep -qF -- "--defect needs a NAME, or none" err.txt || { show; fail "no usage message"; }
}

test_defect_flag_overrides_the_header() {
  needs_defects
  # zero-size leaves this program alone; small-grow breaks it.
  ops zs.ops '# allocfuzz ops v1' '# defect: zero-size' '# expect: violation usable-too-small' \
    'malloc s0 8' 'realloc s0 10'
  run "$AF" check zs.ops
  expect_status 1
  expect_stdout_line "FAIL zs.ops: expected violation usable-too-small, got ok"
  run "$AF" --defect=small-grow check zs.ops
  expect_status 0
  expect_stdout_line "PASS zs.ops (violation usable-too-small at operation 1)"
  run "$AF" check --defect=small-grow zs.ops  # after the verb too
  expect_status 0
  # A file without the header.
  ops plain.ops '# allocfuzz ops v1' 'malloc s0 8' 'realloc s0 10'
  run "$AF" --defect=small-grow replay plain.ops
  expect_status 1
  expect_stdout_line "allocfuzz: violation usable-too-small at operation 1: realloc s0 10"
  # fmt writes what the flag says.
  run "$AF" --defect=small-grow fmt zs.ops
  expect_status 0
  expect_stdout_line "# defect: small-grow"
  run "$AF" --defect=none fmt zs.ops
  expect_status 0
  ! grep -q "^# defect:" out.txt || { show; fail "--defect=none kept the header"; }
}

test_list_shows_the_defects() {
  needs_defects
  run "$AF" list
  expect_status 0
  expect_stdout_line "    defects (# defect: NAME, --defect=NAME):"
  for defect in ${known_defects//,/}; do
    grep -q "^      $defect " out.txt || { show; fail "list lacks the defect $defect"; }
  done
  expect_stdout_line "      small-grow       realloc returns the same block unchanged when growing by at most 16 bytes"
  # The test heaps have none: nothing under them.
  run "$AFT" list
  grep -A1 "^  test-crash " out.txt | tail -1 | grep -qv "defects" || { show; fail "test-crash has defects"; }
}

test_minimize_keeps_the_defect() {
  needs_defects
  ops big.ops '# allocfuzz ops v1' '# defect: small-grow' 'malloc s3 100' 'calloc s1 4 4' \
    'malloc s0 24' 'free s3' 'fill s0' 'realloc s0 30' 'malloc s2 8' 'check'
  run "$AF" minimize big.ops
  expect_status 0
  expect_stdout_line "minimize: big.ops: violation usable-too-small at operation 5 (8 operations)"
  printf '%s\n' '# allocfuzz ops v1' '# defect: small-grow' '# expect: violation usable-too-small' \
    'malloc s0 16' 'realloc s0 30' >expected.ops
  diff -u expected.ops big.min.ops >&2 || fail "unexpected minimized program"
  run "$AF" check big.min.ops
  expect_status 0
  run "$AF" replay --defect=none big.min.ops
  expect_status 0
  # Without the defect there is nothing to minimize.
  run "$AF" --defect=none minimize big.ops -o none.ops
  expect_status 1
  [[ ! -e none.ops ]] || fail "an output was written"
}

test_defects_compiled_out_are_refused() {
  defects_compiled_in && skip "this build has the defect switches (see the other defect tests)"
  small_grow_program sg.ops
  for verb in replay check minimize; do
    run "$AF" "$verb" sg.ops
    expect_status 2
    expect_stderr "sg.ops: defect 'small-grow' is not compiled into this build (use the dev or fuzz preset)"
  done
  run "$AF" --defect=none replay sg.ops
  expect_status 0
}

cli_run_test
