#!/usr/bin/env bash
# Tests of the `allocfuzz` command line, run by ctest: each `test_NAME()` below is the ctest
# test cli.NAME (repro/CMakeLists.txt finds them), named by what it proves. This file holds
# malformed input (exit status 2 and the exact FILE:LINE message) and `list`; the other verbs
# are in the other cli_*_test.sh files, and the shared helpers in cli_lib.sh.
#
# usage: cli_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- malformed input: exit status 2 and the exact FILE:LINE message ----------------------------

# An empty text is refused; an empty binary is what the fuzzer runs for an empty input: the
# empty program.
test_rejects_empty_text_but_reads_an_empty_binary() {
  : >empty.ops
  expect_rejected empty.ops "empty.ops: empty file"
  : >empty.bin
  run "$AF" fmt empty.bin
  expect_status 0
  [[ $(cat out.txt) == "# allocfuzz ops v1" && ! -s err.txt ]] || { show; fail "not the empty program"; }
}

# A binary whose last item is cut short is read as the fuzzer reads it (cli_inputs_test.sh has
# the rest): the item is dropped, and one note says so.
test_reads_a_truncated_binary_as_the_fuzzer_does() {
  printf '\x00\x00\x01\x00' >truncated.bin  # high; malloc s0 1; malloc s0 without its size
  run "$AF" fmt truncated.bin
  expect_status 0
  expect_stderr "allocfuzz: note: truncated.bin: byte 3 is an incomplete last operation (malloc), dropped as the fuzzer drops it"
  printf '\x02\x80' >limit.bin  # a limit varint that never ends
  run "$AF" fmt limit.bin
  expect_status 0
  expect_stderr "allocfuzz: note: limit.bin: byte 1 is an incomplete limit, dropped as the fuzzer drops it (no limit)"
}

test_rejects_unknown_operation() {
  ops bad.ops '# allocfuzz ops v1' 'malloc s0 8' 'mallok s1 8'
  expect_rejected bad.ops "bad.ops:3: unknown operation 'mallok'"
}

test_rejects_bad_slot() {
  ops bad.ops '# allocfuzz ops v1' '# region: low' 'malloc s1024 8'
  expect_rejected bad.ops "bad.ops:3: bad slot 's1024' (slots are s0..s1023)"
}

test_rejects_size_overflow() {
  ops bad.ops '# allocfuzz ops v1' 'malloc s0 18446744073709551616'
  expect_rejected bad.ops "bad.ops:2: size '18446744073709551616' does not fit in 64 bits"
}

test_rejects_missing_first_line() {
  ops bad.ops 'malloc s0 8'
  expect_rejected bad.ops "bad.ops:1: missing first line '# allocfuzz ops v1'"
}

test_rejects_wrong_first_line() {
  # Not named .ops: the first line alone makes it text.
  ops bad.txt '# allocfuzz ops v2' 'malloc s0 8'
  expect_rejected bad.txt \
    "bad.txt:1: wrong first line '# allocfuzz ops v2' (expected '# allocfuzz ops v1')"
}

test_rejects_unknown_heap_in_header() {
  ops bad.ops '# allocfuzz ops v1' '# heap: nope' '# expect: ok' 'malloc s0 8'
  local known
  known=$(known_heaps)
  [[ $known == "free-array, glibc, mimalloc, jemalloc, tcmalloc, kr"* ]] || fail "list names the heaps '$known'"
  for verb in replay check minimize; do
    run "$AF" "$verb" bad.ops
    expect_status 2
    expect_stderr "bad.ops: unknown heap 'nope' (known: $known)"
  done
}

test_rejects_unknown_heap_flag() {
  mixed_program ok.ops
  run "$AF" --heap=nope replay ok.ops
  expect_status 2
  head -1 err.txt | grep -qxF "allocfuzz: unknown heap 'nope' (known: $(known_heaps))" ||
    { show; fail "no unknown-heap message"; }
  [[ ! -s out.txt ]] || fail "something was replayed"
}

test_rejects_unreadable_file() {
  expect_rejected missing.ops "missing.ops: cannot read: No such file or directory"
  mkdir dir.ops
  expect_rejected dir.ops "dir.ops: cannot read: Is a directory"
}

test_usage_errors_exit_2() {
  mixed_program ok.ops
  for args in "" "frobnicate ok.ops" "--bogus replay ok.ops" "fmt ok.ops ok.ops" \
    "--region=middle replay ok.ops" "replay" "--timeout=soon replay ok.ops" "list extra" \
    "encode -o"; do
    # shellcheck disable=SC2086 # split on purpose
    run "$AF" $args
    [[ $status == 2 ]] || { show; fail "'allocfuzz $args' exited $status, expected 2"; }
    [[ -s err.txt ]] || fail "'allocfuzz $args' printed no message"
  done
  run "$AF" help
  expect_status 0
  grep -q "usage: allocfuzz" out.txt || fail "help prints no usage"
}

# --- list -------------------------------------------------------------------------------------

test_list_shows_targets_and_heaps() {
  run "$AF" list
  expect_status 0
  for word in heap_fuzzer ops_text_fuzzer free-array; do
    grep -q "^  $word " out.txt || { show; fail "list lacks $word"; }
  done
  ! grep -q test- out.txt || fail "the real binary lists a test heap"
  run "$AFT" list
  grep -q "^  test-crash " out.txt || fail "the test binary lacks test-crash"
}

test_list_shows_the_plugin_heaps() {
  for binary in "$AF" "$AFT"; do
    run "$binary" list
    expect_status 0
    grep -q "^  kr  .*K&R" out.txt || { show; fail "$binary list lacks the plugin heap kr"; }
  done
}

cli_run_test
