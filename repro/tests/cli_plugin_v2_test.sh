#!/usr/bin/env bash
# Plugins of descriptor version 2 (plugins/allocfuzz_plugin.h) through the command line:
# allocfuzz_testheaps registers two of tests/heaps/test_plugins_v2.c (without fuzz targets).
#   test_v2_align8      8-aligned payloads, declared; max_request 4096
#   test_v2_wrong_walk  its walk reports a block reused from the free list as free
# shellcheck source=repro/tests/cli_lib.sh
source "$(dirname "$0")/cli_lib.sh"

test_list_shows_a_v2_plugins_declared_terms() {
  run "$AFT" list
  expect_status 0
  expect_stdout_line '  test_v2_align8     TEST ONLY: payloads 8-aligned [alignment 8, below max_align_t: declared] [max request 4096]'
  expect_stdout_line '  test_v2_wrong_walk TEST ONLY: its walk reports reused blocks free [max request 4096]'
  ! grep -q "test_v2_align8_fuzzer" out.txt || { show; fail "a test plugin got a fuzz target"; }
}

# Requests above max_request get NULL from the harness (the allocator would exit with status 3
# had one reached it), fairly: no spurious-null, errno ENOMEM. Payloads 8 bytes off 16.
test_v2_max_request_and_small_alignment_pass() {
  ops p.ops '# allocfuzz ops v1' '# heap: test_v2_align8' '# expect: ok' 'malloc s0 5000' \
    'calloc s1 3000 2' 'malloc s2 24' 'realloc s2 100000' 'check'
  run "$AFT" replay p.ops
  expect_status 0
  expect_stdout_line '   0  malloc s0 5000          -> NULL'
  expect_stdout_line '   2  malloc s2 24            -> +0x000018'
  expect_stdout_line '   3  realloc s2 100000       -> NULL (kept +0x000018)'
  run "$AFT" check p.ops
  expect_status 0
  expect_stdout_line 'PASS p.ops (ok)'
}

test_v2_walk_that_misreports_is_heap_invariant_walk() {
  ops p.ops '# allocfuzz ops v1' '# heap: test_v2_wrong_walk' 'malloc s0 100' 'free s0' \
    'malloc s1 100' 'free s1'
  run "$AFT" replay p.ops
  expect_status 1
  expect_stdout_line 'allocfuzz: violation heap-invariant:walk at operation 2: malloc s1 100'
  expect_stdout_line '  seen by: heap checker'
  expect_stdout_line '  the walk does not report the live block at +0x000010 (100 bytes) in use'
  ops e.ops '# allocfuzz ops v1' '# heap: test_v2_wrong_walk' \
    '# expect: violation heap-invariant:walk' 'malloc s0 100' 'free s0' 'malloc s1 100'
  run "$AFT" check e.ops
  expect_status 0
}

cli_run_test
