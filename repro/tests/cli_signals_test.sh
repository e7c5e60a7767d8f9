#!/usr/bin/env bash
# Tests of sanitizer and signal findings (fuzz/oracle/sanitizer_kinds.h, fuzz/harness/
# crash_frame.h): on the broken heaps of tests/test_heaps.cc, `replay` and the fuzz target
# (testheaps_fuzzer, heap_fuzzer with the same heaps, next to ALLOCFUZZ_TESTHEAPS) name the same
# typed kind, the same operation and the same frame inside the heap under test: the file's
# basename and the line marked "FRAME: HEAP" in tests/test_heaps.cc, and the heap's function.
# Needs the dev build's ASan and UBSan (skipped without them).
#
# usage: cli_signals_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# (Its directory before cli_lib.sh enters the scratch directory.)
heaps_source="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/test_heaps.cc"
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

fuzzer="$(dirname "$AFT")/testheaps_fuzzer"

# frame_of HEAP FUNCTION: the frame the finding must name, from the marked line's number.
frame_of() {
  local line
  line=$(grep -n "// FRAME: $1\$" "$heaps_source" | cut -d: -f1)
  [[ -n $line ]] || fail "no line marked 'FRAME: $1' in $heaps_source"
  echo "test_heaps.cc:$line in allocfuzz::(anonymous namespace)::$2"
}

# expect_finding HEAP KIND OP OPTEXT ORACLE FUNCTION MESSAGE: replay's report and the fuzz
# target's finding line for the program in p.ops (p.bin), both exact.
expect_finding() {
  local heap=$1 kind=$2 op=$3 optext=$4 oracle=$5 function=$6 message=$7 frame
  frame=$(frame_of "$heap" "$function")
  run "$AFT" --heap="$heap" replay p.ops
  expect_status 1
  expect_stdout_line "allocfuzz: violation $kind at operation $op: $optext"
  expect_stdout_line "  seen by: $oracle"
  expect_stdout_line "  $message"
  expect_stdout_line "  in the heap under test: $frame"
  run env ALLOCFUZZ_HEAP="$heap" "$fuzzer" p.bin
  [[ $status != 0 ]] || { show; fail "the fuzz target did not die on $heap"; }
  grep '^allocfuzz-finding: ' err.txt >finding.txt || { show; fail "no finding line"; }
  printf 'allocfuzz-finding: kind=%s op=%s oracle="%s" frame="%s"\n' "$kind" "$op" "$oracle" \
    "$frame" >expected.txt
  diff -u expected.txt finding.txt >&2 || fail "the fuzz target's finding line differs"
  grep -qxF "allocfuzz: the process died during operation $op: $optext" err.txt ||
    { show; fail "the fuzz target did not name the operation in flight"; }
}

needs_sanitizers() {
  [[ -x $fuzzer ]] || skip "no testheaps_fuzzer next to $AFT"
  local asan
  asan=$(nm "$AFT" 2>/dev/null | grep -c ' T __asan_get_report_description$' || true)
  [[ $asan != 0 ]] || skip "a build without ASan"
}

two_ops() {
  ops p.ops '# allocfuzz ops v1' 'malloc s0 16' 'free s0'
  "$AF" encode p.ops -o p.bin
}

test_signals_segv_names_the_heaps_line() {
  needs_sanitizers
  two_ops
  expect_finding test-crash crash:SIGSEGV 1 'free s0' signal 'CrashOnFreeHeap::free(void*)' \
    'the process received SIGSEGV'
}

test_signals_asan_overflow_names_its_check_and_line() {
  needs_sanitizers
  two_ops
  expect_finding test-overflow asan:heap-buffer-overflow 1 'free s0' sanitizer \
    'OverflowOnFreeHeap::free(void*)' \
    'the sanitizer reported heap-buffer-overflow during this operation (its report is on stderr)'
}

test_signals_ubsan_misaligned_store_names_its_check_and_line() {
  needs_sanitizers
  two_ops
  expect_finding test-misaligned ubsan:misaligned-store 1 'free s0' sanitizer \
    'MisalignedTagHeap::free(void*)' \
    'the sanitizer reported misaligned-pointer-use during this operation (its report is on stderr)'
}

test_signals_expect_line_takes_the_typed_kinds() {
  # `# expect:` speaks the same words: check passes on the kind the finding has, refuses the
  # old sanitizer:WHAT spelling with the parser's message.
  needs_sanitizers
  ops p.ops '# allocfuzz ops v1' '# expect: violation asan:heap-buffer-overflow' 'malloc s0 16' \
    'free s0'
  run "$AFT" --heap=test-overflow check p.ops
  expect_status 0
  ops old.ops '# allocfuzz ops v1' '# expect: violation sanitizer:heap-buffer-overflow' \
    'malloc s0 16'
  run "$AFT" --heap=test-overflow check old.ops
  expect_status 2
  grep -qF "old.ops:2: unknown violation kind 'sanitizer:heap-buffer-overflow'" err.txt ||
    { show; fail "the old spelling was not refused at its line"; }
}

cli_run_test
