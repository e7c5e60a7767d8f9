#!/usr/bin/env bash
# Tests of `allocfuzz replay`: the documented trace, determinism (twice, high and low, on a
# plugin heap), exit status of several files, crashes and binary input.
#
# usage: cli_replay_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- replay -----------------------------------------------------------------------------------

test_replay_prints_the_documented_trace() {
  ops p.ops '# allocfuzz ops v1' 'malloc s0 64' 'malloc s1 8' 'realloc s0 100' \
    'malloc s1 5000000000' 'foreign-grow 4096' 'free s1'
  run "$AF" replay p.ops
  expect_status 0
  cat >expected.txt <<'EOF'
   0  malloc s0 64            -> +0x000008
   1  malloc s1 8             -> +0x000050
   2  realloc s0 100          -> +0x000060 (moved from +0x000008)
   3  malloc s1 5000000000    -> NULL (freed +0x000050 first)
   4  foreign-grow 4096       (break +0x002050)
   5  free s1                 (empty slot)
EOF
  head -6 out.txt | diff -u expected.txt - >&2 || fail "trace differs"
  tail -1 out.txt | grep -q "^ok: 6 operations, peak break +0x002050, " || { show; fail "no ok line"; }
}

test_replay_is_byte_identical_twice() {
  mixed_program p.ops
  run "$AF" replay p.ops
  expect_status 0
  cp out.txt first.txt
  run "$AF" replay p.ops
  cmp first.txt out.txt || fail "two replays differ"
  run "$AFT" --heap=test-overlap replay p.ops
  expect_status 1
  cp out.txt first.txt
  run "$AFT" --heap=test-overlap replay p.ops
  cmp first.txt out.txt || fail "two replays of a violation differ"
}

test_replay_high_and_low_print_the_same() {
  mixed_program p.ops
  run "$AF" --region=high replay p.ops
  expect_status 0
  cp out.txt high.txt
  run "$AF" --region=low replay p.ops
  expect_status 0
  diff -u high.txt out.txt >&2 || fail "high and low placements print differently"
  run "$AFT" --heap=test-overlap --region=high replay p.ops
  cp out.txt high.txt
  run "$AFT" --heap=test-overlap --region=low replay p.ops
  diff -u high.txt out.txt >&2 || fail "high and low reports differ"
}

test_replay_on_a_plugin_heap_is_deterministic() {
  mixed_program p.ops
  run "$AF" --heap=kr replay p.ops
  expect_status 0
  cp out.txt first.txt
  # K&R hands out the tail of its first 16 KiB chunk: the first block is not free-array's.
  grep -q "^   0  malloc s0 24            -> +0x003fe0$" out.txt || { show; fail "not kr's trace"; }
  run "$AF" --heap=kr replay p.ops
  cmp first.txt out.txt || fail "two replays on kr differ"
  run "$AF" --heap=kr --region=low replay p.ops
  diff -u first.txt out.txt >&2 || fail "high and low placements print differently on kr"
  # The same program naming its heap in the header.
  { echo '# allocfuzz ops v1'; echo '# heap: kr'; echo '# expect: ok'; tail -n +2 p.ops; } >kr.ops
  run "$AF" replay kr.ops
  expect_status 0
  cmp first.txt out.txt || fail "'# heap: kr' replays differently from --heap=kr"
  run "$AF" check kr.ops
  expect_status 0
}

test_replay_of_several_files_exits_with_the_worst() {
  mixed_program ok.ops
  ops bad.ops '# allocfuzz ops v1' 'mallok'
  run "$AF" replay ok.ops bad.ops ok.ops
  expect_status 2
  [[ $(grep -c '^ok: ' out.txt) == 2 ]] || { show; fail "both good files should replay"; }
  run "$AFT" --heap=test-overlap replay ok.ops
  expect_status 1
}

test_replay_crash_names_sigsegv_and_the_operation() {
  ops crash.ops '# allocfuzz ops v1' '# heap: test-crash' 'malloc s0 24' 'malloc s1 8' 'check' \
    'free s1' 'malloc s2 8'
  local line="allocfuzz: violation crash:SIGSEGV at operation 3: free s1"
  run "$AFT" replay crash.ops
  expect_status 1
  expect_stdout_line "$line"
  cp out.txt first.txt
  # With the sanitizer's own SEGV handler in charge (ignored where there is no sanitizer).
  ASAN_OPTIONS=allow_user_segv_handler=0 run "$AFT" replay crash.ops
  expect_status 1
  expect_stdout_line "$line"
  ASAN_OPTIONS=abort_on_error=1 run "$AFT" replay crash.ops
  expect_status 1
  expect_stdout_line "$line"
  run "$AFT" replay crash.ops
  cmp first.txt out.txt || fail "two crash replays differ"
}

test_replay_binary_input() {
  ops p.ops '# allocfuzz ops v1' '# region: low' 'malloc s0 24' 'free s0'
  run "$AF" encode p.ops -o p.bin
  expect_status 0
  run "$AF" replay p.bin
  expect_status 0
  expect_stdout_line "   1  free s0                 (freed +0x000008)"
}

cli_run_test
