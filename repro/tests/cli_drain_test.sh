#!/usr/bin/env bash
# Tests of the first broken operation (repro/tools/first_broken.h): on a heap without our
# checker, `replay` follows a violation with the line that names the first operation after which
# the drain probe (fuzz/harness/drain_probe.h) fails, and the symptom's. One test per pattern of
# damage that shows only operations later, on the wrong-drain-* heaps of the catalogue
# (fuzz/heaps/wrong/region_rows.h, registered in the test build of the command line); the
# operations before the damage must pass their probes, so the exact operation is asserted.
#
# usage: cli_drain_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

test_drain_names_corrupted_metadata() {
  # Operation 2's realloc puts the old block on the heap's list twice; two mallocs of 16 bytes
  # get it, four operations later.
  ops p.ops '# allocfuzz ops v1' 'malloc s0 24' 'malloc s1 24' 'realloc s0 100' 'malloc s2 200' \
    'free s1' 'malloc s3 16' 'malloc s4 16'
  run "$AFT" --heap=wrong-drain-realloc-lists-twice replay p.ops
  expect_status 1
  expect_stdout_line 'allocfuzz: violation overlap at operation 6: malloc s4 16'
  tail -1 out.txt >last.txt
  echo 'heap first broken at operation 2 (the probe after it fails with overlap at its step 4: block at +0x000008 of 8 bytes overlaps live block s1 at +0x000008 of 24 bytes), symptom at operation 6' >expected.txt
  diff -u expected.txt last.txt >&2 || fail "first broken line differs"
}

test_drain_names_a_lost_block() {
  # Operation 1's realloc never frees the old 1000 bytes; the heap runs out of its own capacity
  # four operations later, and the probe after operation 1 already cannot get its 4096 bytes.
  ops p.ops '# allocfuzz ops v1' 'malloc s0 1000' 'realloc s0 2000' 'free s0' 'malloc s1 4000' \
    'malloc s2 3000' 'malloc s3 500'
  run "$AFT" --heap=wrong-drain-realloc-loses-old replay p.ops
  expect_status 1
  expect_stdout_line 'allocfuzz: violation spurious-null at operation 5: malloc s3 500'
  tail -1 out.txt >last.txt
  echo 'heap first broken at operation 1 (the probe after it fails with spurious-null at its step 8: malloc of 4096 bytes returned NULL although no break growth failed during the call), symptom at operation 5' >expected.txt
  diff -u expected.txt last.txt >&2 || fail "first broken line differs"
}

test_drain_names_a_wrong_size() {
  # Operation 1's realloc grows in place but keeps the old size, so the grown tail is handed
  # out again, five operations later.
  ops p.ops '# allocfuzz ops v1' 'malloc s0 24' 'realloc s0 200' 'malloc s1 300' 'malloc s2 500' \
    'free s1' 'malloc s3 400' 'malloc s4 16'
  run "$AFT" --heap=wrong-drain-realloc-keeps-old-size replay p.ops
  expect_status 1
  expect_stdout_line 'allocfuzz: violation overlap at operation 6: malloc s4 16'
  tail -1 out.txt >last.txt
  echo 'heap first broken at operation 1 (the probe after it fails with overlap at its step 2: block at +0x000020 of 8 bytes overlaps live block s0 at +0x000008 of 200 bytes), symptom at operation 6' >expected.txt
  diff -u expected.txt last.txt >&2 || fail "first broken line differs"
}

test_drain_sees_a_heap_that_never_reuses_memory_as_leak() {
  # test-overlap is a bump allocator: freed memory is never given out again, which the probe's
  # second step sees as the break growing for blocks that fitted below it a moment ago.
  ops p.ops '# allocfuzz ops v1' 'malloc s0 24' 'malloc s1 24' 'free s0' 'malloc s2 24'
  run "$AFT" --heap=test-overlap replay p.ops
  expect_status 1
  expect_stdout_line 'heap first broken at operation 0 (the probe after it fails with leak at its step 1: the block just freed (24 bytes), allocated again, took the break from +0x000020 to +0x000040: memory given back was not reused), symptom at operation 3'
}

test_drain_is_not_run_for_a_heap_with_our_checker() {
  # free-array's checker names the operation that broke it; no search follows.
  ops p.ops '# allocfuzz ops v1' '# defect: small-grow' 'malloc s0 24' 'realloc s0 32'
  if ! defects_compiled_in; then exit 77; fi
  run "$AF" replay p.ops
  expect_status 1
  if grep -q 'first broken' out.txt; then show; fail "a drain search ran on free-array"; fi
}

test_drain_search_is_deterministic() {
  ops p.ops '# allocfuzz ops v1' 'malloc s0 24' 'realloc s0 200' 'malloc s1 300' 'malloc s2 500' \
    'free s1' 'malloc s3 400' 'malloc s4 16'
  run "$AFT" --heap=wrong-drain-realloc-keeps-old-size --region=low replay p.ops
  cp out.txt first.txt
  run "$AFT" --heap=wrong-drain-realloc-keeps-old-size replay p.ops
  cmp first.txt out.txt || fail "the search differs between placements or runs"
}

cli_run_test
