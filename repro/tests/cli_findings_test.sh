#!/usr/bin/env bash
# Tests of the violation vocabulary at the command line and in the fuzz targets, run by ctest:
# each `test_NAME()` below is the ctest test cli.NAME (repro/CMakeLists.txt finds them).
#
# usage: cli_findings_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR
#   The fuzz targets are found beside ALLOCFUZZ (every executable lands in build/PRESET/bin/).
# Exit status 77 is a skip (ctest SKIP_RETURN_CODE): a test of the defect switches in a build
# without them.
# shellcheck source=repro/tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

cases="$(cd "$(dirname "${BASH_SOURCE[0]}")/../cases" && pwd)"
bin="$(dirname "$AF")"

test_expect_with_an_unknown_invariant_is_an_error_at_its_line() {
  printf '%s\n' "# allocfuzz ops v1" "# a comment" "# expect: violation heap-invariant:bogus" \
    "malloc s0 8" >bogus.ops
  expect_rejected bogus.ops \
    "bogus.ops:3: unknown violation kind 'heap-invariant:bogus' (no heap invariant 'bogus')"
}

test_expect_with_an_unknown_category_is_an_error_at_its_line() {
  printf '%s\n' "# allocfuzz ops v1" "# expect: violation segfault" "malloc s0 8" >bogus.ops
  expect_rejected bogus.ops "bogus.ops:2: unknown violation kind 'segfault' (no shadow kind 'segfault')"
  printf '%s\n' "# allocfuzz ops v1" "# expect: violation crash:SEGV" "malloc s0 8" >crash.ops
  expect_rejected crash.ops \
    "crash.ops:2: unknown violation kind 'crash:SEGV' (a crash is crash:SIGNAME or crash:exit-N)"
}

# check compares kinds, not only 'a violation': a program expecting another kind fails.
test_check_fails_on_another_kind_of_the_same_category() {
  needs_defects
  sed 's/^# expect: violation .*/# expect: violation heap-invariant:free-tag/' \
    "$cases/defect_prev_move_tag.ops" >other.ops
  run "$AF" check other.ops
  expect_status 1
  grep -qxF "FAIL other.ops: expected violation heap-invariant:free-tag, got violation heap-invariant:prev-free at operation 4" out.txt ||
    { show; fail "check did not name both kinds"; }
}

# heap_fuzzer FILE (the standalone main replays inputs) prints the finding line, with the kind
# `allocfuzz check` expects of the case; `# defect:` is ALLOCFUZZ_DEFECT for the fuzzer.
expect_fuzzer_line() {
  local case=$1 line=$2
  local defect
  defect="$(sed -n 's/^# defect: *//p' "$cases/$case")"
  run "$AF" encode "$cases/$case" -o input.bin
  expect_status 0
  run env ALLOCFUZZ_DEFECT="$defect" "$bin/heap_fuzzer" input.bin
  [[ $status != 0 ]] || { show; fail "heap_fuzzer did not stop on $case"; }
  grep '^allocfuzz-finding: ' err.txt >lines.txt || true
  printf '%s\n' "$line" >expected.txt
  diff -u expected.txt lines.txt >&2 || { show; fail "$case: not exactly one line: $line"; }
  run "$AF" check "$cases/$case"
  expect_status 0
}

test_heap_fuzzer_prints_the_finding_line_of_a_heap_invariant() {
  needs_defects
  expect_fuzzer_line defect_prev_move_tag.ops \
    'allocfuzz-finding: kind=heap-invariant:prev-free op=4 oracle="heap checker"'
}

test_heap_fuzzer_prints_the_finding_line_of_a_shadow_kind() {
  needs_defects
  expect_fuzzer_line defect_small_grow.ops \
    'allocfuzz-finding: kind=usable-too-small op=1 oracle="shadow model"'
}

# A death: the heap's own fatal check aborts; the line is printed once (not again for the abort)
# and names the kind `allocfuzz replay` reports, seen by the same oracle.
test_heap_fuzzer_prints_the_finding_line_of_a_heap_fatal_death() {
  needs_defects
  # The frame is where the heap found itself broken: heap_fatal's caller, block_of's check.
  local src line frame
  src="$cases/../../allocator/free_array/free_array_heap.cc"
  line=$(awk '/::block_of\(/ { f = 1 } f && /heap_fatal\(caller, offset\);/ { print NR; exit }' "$src")
  frame="free_array_heap.cc:$line in allocfuzz::FreeArrayHeap::block_of(void const*, char const*) const"
  # Without the sanitizers there is no symbolizer: the frame is "?" (fuzz/harness/crash_frame.h).
  [[ $(nm "$bin/heap_fuzzer" | grep -c ' T __sanitizer_symbolize_pc$' || true) != 0 ]] || frame="?"
  expect_fuzzer_line defect_zero_size.ops \
    "allocfuzz-finding: kind=crash:SIGABRT op=0 oracle=\"heap's own check\" frame=\"$frame\""
  run "$AF" replay "$cases/defect_zero_size.ops"
  grep -qxF "  in the heap under test: $frame" out.txt || { show; fail "replay names another frame"; }
  grep -qxF "allocfuzz: violation crash:SIGABRT at operation 0: malloc s0 0" out.txt ||
    { show; fail "replay names another kind"; }
  grep -qxF "  seen by: heap's own check" out.txt || { show; fail "replay names another oracle"; }
}

cli_run_test
