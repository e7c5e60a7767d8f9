#!/usr/bin/env bash
# Tests of the `allocfuzz` command line, run by ctest: each `test_NAME()` below is the ctest
# test cli.NAME (repro/CMakeLists.txt finds them), named by what it proves.
#
# usage: cli_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR
#   ALLOCFUZZ_TESTHEAPS is the same command line with two broken heaps (tests/test_heaps.cc):
#   test-crash (free writes to address 0x10) and test-overlap (every 3rd malloc returns the
#   previous block).
# Exit status 77 is a skip (ctest SKIP_RETURN_CODE): a test of the defect switches in a build
# without them (release), or the other way round.
set -euo pipefail

name=$1
AF=$2
AFT=$3
scratch=$4/$name
rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run CMD...: runs it with stdout in out.txt, stderr in err.txt, exit status in $status.
run() {
  set +e
  "$@" >out.txt 2>err.txt
  status=$?
  set -e
}

show() {
  echo "--- stdout ---" >&2
  cat out.txt >&2
  echo "--- stderr ---" >&2
  cat err.txt >&2
}

expect_status() {
  [[ $status == "$1" ]] || { show; fail "exit status $status, expected $1"; }
}

# The whole of stderr is exactly the given line.
expect_stderr() {
  printf '%s\n' "$1" >expected.txt
  diff -u expected.txt err.txt >&2 || fail "stderr is not exactly: $1"
}

# stdout has this exact line somewhere.
expect_stdout_line() {
  grep -qxF -- "$1" out.txt || { show; fail "stdout lacks the line: $1"; }
}

# A file that must be rejected with exit status 2 and exactly this message, by every verb
# that reads files.
expect_rejected() {
  local file=$1 message=$2
  for verb in replay fmt check minimize; do
    run "$AF" "$verb" "$file"
    expect_status 2
    expect_stderr "$message"
  done
  run "$AF" encode "$file" -o out.bin
  expect_status 2
  expect_stderr "$message"
}

ops() {  # ops FILE LINE...: writes a text program
  local file=$1
  shift
  printf '%s\n' "$@" >"$file"
}

# A program that exercises every operation and placement-independent results.
# Whether this build has the historical defect switches (allocator/free_array/defects.h): `list` says
# when it has not (the release preset).
defects_compiled_in() {
  "$AF" list >list.txt
  ! grep -q "^defects: not compiled into this build" list.txt
}

skip() {
  echo "SKIP: $name: $*"
  exit 77
}

needs_defects() {
  defects_compiled_in || skip "the defect switches are not compiled into this build"
}

# The defects of free-array, in the order of allocator/free_array/defects.h.
known_defects="addr32, shared-break, small-grow, stale-largest, zero-size, prev-move-tag, \
gap-reuse, double-align"

mixed_program() {
  ops "$1" '# allocfuzz ops v1' 'malloc s0 24' 'calloc s1 3 8' 'realloc s0 100' \
    'malloc s2 5000000000' 'foreign-grow 4096' 'malloc s3 70000' 'free s1' 'free s9' \
    'fill s0' 'realloc s0 0' 'foreign-release' 'check' 'fail-grow 2' 'malloc s4 200000' \
    'realloc s3 8' 'malloc s20 0'
}

# --- malformed input: exit status 2 and the exact FILE:LINE message ----------------------------

test_rejects_empty_file() {
  : >empty.ops
  expect_rejected empty.ops "empty.ops: empty file"
  : >empty.bin
  expect_rejected empty.bin "empty.bin: empty file"
}

test_rejects_truncated_binary() {
  printf '\x00\x00\x01\x00' >truncated.bin  # high; malloc s0 1; malloc s0 without its size
  expect_rejected truncated.bin \
    "truncated.bin: byte 3: truncated binary: the operation starting here is incomplete"
  printf '\x02\x80' >limit.bin  # a limit varint that never ends
  expect_rejected limit.bin \
    "limit.bin: byte 1: truncated binary: the limit starting here is incomplete"
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

# The heaps `list` shows, as the error messages name them: "free-array, kr" plus any other
# plugin allocator this build links (plugins/).
known_heaps() {
  "$AF" list | sed -n '/^heaps /,$p' | grep -E '^  [^ ]' | awk '{print $1}' | paste -sd, - |
    sed 's/,/, /g'
}

test_rejects_unknown_heap_in_header() {
  ops bad.ops '# allocfuzz ops v1' '# heap: nope' '# expect: ok' 'malloc s0 8'
  local known
  known=$(known_heaps)
  [[ $known == "free-array, glibc, kr"* ]] || fail "list names the heaps '$known'"
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

# --- fmt and encode ---------------------------------------------------------------------------

test_fmt_then_encode_gives_back_a_canonical_binary() {
  # Every operation, a limit, low placement, a slot past 14, edge sizes and varint sizes.
  ops p.ops '# allocfuzz ops v1' '# region: low' '# limit: 1048576' 'malloc s0 24' \
    'calloc s1 3 8' 'realloc s0 4096' 'free s1' 'fill s0' 'check' 'foreign-grow 12345' \
    'foreign-release' 'fail-grow 255' 'malloc s1023 18446744073709551615' 'malloc s15 300'
  run "$AF" encode p.ops -o canonical.bin
  expect_status 0
  run "$AF" fmt canonical.bin
  expect_status 0
  cp out.txt printed.ops
  diff -u p.ops printed.ops >&2 || fail "fmt of the binary is not the canonical text"
  run "$AF" encode printed.ops -o again.bin
  expect_status 0
  cmp canonical.bin again.bin || fail "fmt then encode changed the bytes"
  run "$AF" encode printed.ops
  cmp canonical.bin out.txt || fail "encode to stdout differs from -o"
}

test_encode_refuses_to_write_binary_to_a_terminal() {
  ops p.ops '# allocfuzz ops v1' 'malloc s0 8'
  set +e
  script -qec "'$AF' encode p.ops" /dev/null >out.txt 2>&1
  status=$?
  set -e
  expect_status 2
  grep -q "refusing to write it to a terminal" out.txt || { show; fail "no refusal"; }
}

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

# --- defects ----------------------------------------------------------------------------------

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

# --- diff -------------------------------------------------------------------------------------

test_diff_replay_prints_each_calls_answers() {
  ops p.ops '# allocfuzz ops v1' '# diff: free-array glibc kr' 'malloc s0 64' 'malloc s1 0' \
    'calloc s2 4611686018427387904 8' 'realloc s1 0' 'realloc s3 0' 'fill s0' 'free s0'
  run "$AF" replay p.ops
  expect_status 0
  cat >expected.txt <<'EOF'
diff: free-array, glibc, kr
   0  malloc s0 64            free-array, glibc, kr: a block
   1  malloc s1 0             free-array, glibc, kr: a block
   2  calloc s2 4611686018427387904 8 free-array, glibc, kr: NULL, ENOMEM
   3  realloc s1 0            free-array, glibc, kr: NULL (freed)
   4  realloc s3 0            free-array, glibc, kr: a block
   5  fill s0
   6  free s0
ok: 7 operations, the heaps agree (free-array, glibc, kr)
EOF
  diff -u expected.txt out.txt >&2 || fail "diff trace differs"
  run "$AF" replay p.ops
  diff -u expected.txt out.txt >&2 || fail "two diff replays differ"
  # --diff=all is every registered heap; it overrides the header.
  run "$AF" --diff=all replay p.ops
  diff -u expected.txt out.txt >&2 || fail "--diff=all is not free-array, glibc, kr"
}

test_diff_finds_a_divergence_and_minimizes_it() {
  ops p.ops '# allocfuzz ops v1' 'malloc s0 24' 'malloc s1 100' 'free s0' 'malloc s2 0' \
    'malloc s3 8'
  run "$AFT" --diff=free-array,glibc,test-zero-null replay p.ops
  expect_status 1
  expect_stdout_line "allocfuzz: violation divergence:malloc-zero at operation 3: malloc s2 0"
  expect_stdout_line "  heaps: free-array, glibc, test-zero-null"
  expect_stdout_line "  seen by: differential comparison"
  expect_stdout_line "  the heaps disagree on malloc s2 0: free-array, glibc: a block; test-zero-null: NULL, errno 0"
  run "$AFT" --diff=free-array,test-zero-null minimize p.ops -o small.ops
  expect_status 0
  cat >expected.ops <<'EOF'
# allocfuzz ops v1
# diff: free-array test-zero-null
# expect: violation divergence:malloc-zero
malloc s0 0
EOF
  diff -u expected.ops small.ops >&2 || fail "unexpected minimized program"
  run "$AFT" check small.ops
  expect_status 0
  expect_stdout_line "PASS small.ops (violation divergence:malloc-zero at operation 0)"
  # Without the comparison, NULL from malloc(0) is allowed: the heap alone passes.
  run "$AFT" --heap=test-zero-null replay p.ops
  expect_status 0
}

test_diff_names_the_heap_of_its_own_violation() {
  ops p.ops '# allocfuzz ops v1' '# diff: free-array test-overlap' 'malloc s0 8' 'malloc s1 8' \
    'malloc s2 8'
  run "$AFT" replay p.ops
  expect_status 1
  expect_stdout_line "allocfuzz: violation overlap at operation 2: malloc s2 8"
  expect_stdout_line "  heap: test-overlap (of free-array, test-overlap)"
}

test_diff_rejects_bad_headers_and_flags() {
  ops one.ops '# allocfuzz ops v1' '# diff: kr' 'malloc s0 1'
  expect_rejected one.ops "one.ops:2: '# diff:' needs all, or two or more heap names"
  ops twice.ops '# allocfuzz ops v1' '# diff: kr glibc kr' 'malloc s0 1'
  expect_rejected twice.ops "twice.ops:2: heap 'kr' named twice in '# diff:'"
  ops all.ops '# allocfuzz ops v1' '# diff: all kr' 'malloc s0 1'
  expect_rejected all.ops "all.ops:2: '# diff: all' takes no other names"
  ops nope.ops '# allocfuzz ops v1' '# diff: nope kr' '# expect: ok' 'malloc s0 1'
  for verb in replay check minimize; do
    run "$AF" "$verb" nope.ops
    expect_status 2
    expect_stderr "nope.ops: unknown heap 'nope' in '# diff:' (known: $(known_heaps))"
  done
  run "$AF" --diff=kr replay nope.ops
  expect_status 2
  grep -q "^allocfuzz: --diff takes all, or two or more heaps$" err.txt || { show; fail "--diff=kr"; }
  run "$AF" --diff=kr,nope replay nope.ops
  expect_status 2
  grep -q "^allocfuzz: --diff: unknown heap 'nope'" err.txt || { show; fail "--diff=kr,nope"; }
  run "$AF" --diff=kr,kr replay nope.ops
  expect_status 2
  grep -q "^allocfuzz: --diff: heap 'kr' twice$" err.txt || { show; fail "--diff=kr,kr"; }
  run "$AF" --diff=all run heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz run: --diff goes with diff_fuzzer, not heap_fuzzer"
}

test_diff_refuses_defects() {
  defects_compiled_in || skip "the defect switches are not compiled into this build"
  ops d.ops '# allocfuzz ops v1' '# defect: addr32' '# diff: all' '# expect: ok' 'malloc s0 1'
  for verb in replay check minimize; do
    run "$AF" "$verb" d.ops
    expect_status 2
    expect_stderr "d.ops: a '# diff:' program runs every heap without defects, but it names defect 'addr32' (--defect=none removes it)"
  done
  run "$AF" --defect=none check d.ops
  expect_status 0
}

# --- footprint --------------------------------------------------------------------------------

# The heap names `list` shows, one a line.
listed_heaps() {
  "$AF" list | sed -n '/^heaps /,$p' | grep -E '^  [a-z]' | awk '{print $1}'
}

# footprint's output without the glibc row. glibc's footprint is its mapped bytes, which it
# shares with the rest of the process: where the process's own allocations land, and so the
# figure, can change with the address-space layout (ASLR) from run to run. The region heaps'
# rows are deterministic; the determinism tests compare only those.
region_rows() {
  grep -v '^glibc '
}

test_footprint_has_a_row_per_heap() {
  mixed_program p.ops
  run "$AF" footprint p.ops
  expect_status 0
  expect_stdout_line "command: allocfuzz footprint p.ops"
  grep -q "^heap  *footprint  *peak-live  *blocks  *ovh/block  *frag  *vs-first  *result$" out.txt ||
    { show; fail "no table header"; }
  local heaps
  heaps=$(listed_heaps)
  [[ -n $heaps ]] || fail "list shows no heaps"
  for heap in $heaps; do
    grep -qE "^$heap +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.-]+ +[0-9.-]+ +[0-9.]+  ok$" out.txt ||
      { show; fail "no ok row for heap $heap"; }
  done
  local first
  first=$(head -1 <<<"$heaps")
  grep -qE "^$first .* 1\.00  ok$" out.txt || { show; fail "the first heap is not 1.00 of itself"; }
}

test_footprint_measures_glibc_mapped_bytes() {
  local lines=('# allocfuzz ops v1')
  for i in $(seq 0 9); do lines+=("malloc s$i 10240"); done
  ops p.ops "${lines[@]}"
  run "$AF" footprint p.ops
  expect_status 0
  local row
  row=$(grep '^glibc ' out.txt) || { show; fail "no glibc row"; }
  local footprint live
  read -r _ footprint live _ <<<"$row"
  [[ $live == 102400 ]] || { show; fail "glibc's peak-live is $live, not 102400"; }
  [[ $footprint =~ ^[0-9]+$ && $footprint -gt 0 ]] ||
    { show; fail "glibc's footprint is '$footprint', not a positive number"; }
  grep -q "for glibc, its peak mapped bytes (mallinfo2 arena + hblkhd" out.txt ||
    { show; fail "the legend does not say what glibc's footprint is"; }
}

test_footprint_output_is_identical_twice() {
  mixed_program p.ops
  "$AF" footprint p.ops | region_rows >one.txt
  "$AF" footprint p.ops | region_rows >two.txt
  diff -u one.txt two.txt >&2 || fail "two runs differ"
  "$AF" footprint --random 3000 --seed 7 | region_rows >one.txt
  "$AF" footprint --random 3000 --seed 7 | region_rows >two.txt
  diff -u one.txt two.txt >&2 || fail "two random runs differ"
}

test_footprint_random_is_deterministic_per_seed() {
  run "$AF" footprint --random 5000 --seed 3
  expect_status 0
  expect_stdout_line "command: allocfuzz footprint --random 5000 --seed 3"
  grep -q "^workload: random, 5000 operations, seed 3: " out.txt || { show; fail "no workload line"; }
  grep -q "^region: 256 MiB reserve" out.txt || { show; fail "not the 256 MiB region"; }
  region_rows <out.txt >seed3.txt
  "$AF" footprint --seed=3 --random=5000 | region_rows >again.txt
  diff -u seed3.txt again.txt >&2 || fail "the same seed gave another table"
  "$AF" footprint --random 5000 --seed 4 | region_rows | tail -n +2 >seed4.txt
  tail -n +2 seed3.txt | cmp -s - seed4.txt && fail "seeds 3 and 4 gave the same table"
  # No --seed is seed 1.
  "$AF" footprint --random 2000 | region_rows >default.txt
  "$AF" footprint --random 2000 --seed 1 | region_rows >one.txt
  diff -u default.txt one.txt >&2 || fail "the default seed is not 1"
}

test_footprint_bad_args_exit_2() {
  mixed_program ok.ops
  for args in "footprint" "footprint ok.ops --random 10" "footprint --random 0" \
    "footprint --random many" "footprint --random 100001" "footprint --random 10 --seed x" \
    "footprint ok.ops --seed 1" "footprint ok.ops ok.ops" "footprint no-such.ops" \
    "replay --random 10 ok.ops" "footprint --random"; do
    # shellcheck disable=SC2086 # split on purpose
    run "$AF" $args
    [[ $status == 2 ]] || { show; fail "'allocfuzz $args' exited $status, expected 2"; }
    [[ -s err.txt ]] || fail "'allocfuzz $args' printed no message"
    [[ ! -s out.txt ]] || { show; fail "'allocfuzz $args' printed a table"; }
  done
}

test_footprint_names_a_violation_and_exits_1() {
  # No free: test-crash (which crashes in free, in this process) runs it to the end, and
  # test-overlap's 3rd malloc overlaps the 2nd.
  ops p.ops '# allocfuzz ops v1' 'malloc s0 24' 'malloc s1 24' 'malloc s2 24' 'malloc s3 24'
  run "$AFT" footprint p.ops
  expect_status 1
  grep -qE "^test-overlap .*  violation overlap at operation [0-9]+ " out.txt ||
    { show; fail "no violation in test-overlap's row"; }
  grep -qE "^free-array .*  ok$" out.txt || { show; fail "free-array is not ok"; }
}

# --- run --------------------------------------------------------------------------------------

test_run_outside_a_fuzz_build_says_how_to_get_one() {
  run "$AF" run heap_fuzzer 1
  expect_status 2
  grep -q "build the fuzz preset: cmake --workflow --preset fuzz" err.txt || { show; fail "no hint"; }
  run "$AF" run no_such_fuzzer
  expect_status 2
  expect_stderr "allocfuzz run: unknown target 'no_such_fuzzer' (known: heap_fuzzer, diff_fuzzer, ops_text_fuzzer)"
  run "$AF" run heap_fuzzer soon
  expect_status 2
}

# --- cmin and coverage ------------------------------------------------------------------------
# These check what each verb refuses before it starts anything (no build, no fuzzer). Their end
# to end runs (a coverage build, a libFuzzer merge) take a whole preset and are not run here.

test_cmin_and_coverage_usage_errors() {
  local known="heap_fuzzer, diff_fuzzer, ops_text_fuzzer"
  run "$AF" cmin
  expect_status 2
  expect_stderr $'allocfuzz: cmin takes TARGET [DIR...] [-o OUT]\n(allocfuzz help for usage)'
  run "$AF" coverage
  expect_status 2
  expect_stderr $'allocfuzz: coverage takes TARGET [DIR...]\n(allocfuzz help for usage)'
  for verb in cmin coverage; do
    run "$AF" "$verb" no_such_fuzzer
    expect_status 2
    expect_stderr "allocfuzz $verb: unknown target 'no_such_fuzzer' (known: $known)"
    run "$AF" --defect=small-grow "$verb" heap_fuzzer
    expect_status 2
    expect_stderr "allocfuzz $verb: --defect: $verb runs the heap without its defects"
    run "$AF" --diff=all "$verb" heap_fuzzer
    expect_status 2
    expect_stderr "allocfuzz $verb: --diff goes with diff_fuzzer, not heap_fuzzer"
  done
  run "$AF" coverage heap_fuzzer no-such-dir
  expect_status 2
  expect_stderr "allocfuzz coverage: no-such-dir: no such file or directory"
  : >file
  run "$AF" cmin heap_fuzzer file
  expect_status 2
  expect_stderr "allocfuzz cmin: file is not a directory (cmin merges corpus directories)"
  run "$AF" --root=. coverage heap_fuzzer
  expect_status 2
  expect_stderr \
    "allocfuzz coverage: --root=. is not the allocfuzz repository (no CMakeLists.txt and fuzz/ there)"
  [[ ! -s out.txt ]] || { show; fail "something was printed on stdout"; }
}

test_cmin_outside_a_fuzz_build_says_how_to_get_one() {
  run "$AF" cmin heap_fuzzer
  expect_status 2
  expect_stderr "allocfuzz cmin: this allocfuzz is not from a fuzz build, and the fuzz targets next to it only replay files; build the fuzz preset: cmake --workflow --preset fuzz, then use build/fuzz/bin/allocfuzz cmin heap_fuzzer"
  mkdir in
  run "$AF" cmin ops_text_fuzzer in -o out
  expect_status 2
  grep -qF "then use build/fuzz/bin/allocfuzz cmin ops_text_fuzzer" err.txt || { show; fail "no hint"; }
  [[ ! -e out ]] || fail "an output directory was made"
}

test_coverage_without_cmake_says_what_is_missing() {
  # Nothing on PATH: the verb stops before it configures or builds anything.
  PATH=/nonexistent run "$AF" coverage heap_fuzzer
  expect_status 2
  expect_stderr "allocfuzz coverage: cmake not found on PATH (Debian: apt-get install cmake ninja-build clang llvm, or run ci/deps.sh)"
}

# --- run --engine=afl -------------------------------------------------------------------------

test_run_engine_flag_is_checked() {
  run "$AF" run --engine=bogus heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz: --engine must be libfuzzer or afl, not 'bogus'
(allocfuzz help for usage)"
  run "$AF" --engine=afl list
  expect_status 2
  expect_stderr "allocfuzz: --engine goes with run only
(allocfuzz help for usage)"
  # libfuzzer is the default, spelled out.
  run "$AF" run --engine=libfuzzer heap_fuzzer 1
  expect_status 2
  grep -q "build the fuzz preset: cmake --workflow --preset fuzz" err.txt || { show; fail "no hint"; }
}

# A repository root for `--root=` with a stand-in AFL++ build of heap_fuzzer (never run) and a
# stand-in afl-fuzz on PATH (fake-bin/). The stand-in records its arguments in
# args.INSTANCE, and by FAKE_AFL: crash (default) saves $FAKE_CRASH as a crash and a hang,
# clean saves none, idle reports no executions, fail aborts as afl-fuzz does.
fake_afl_root() {
  mkdir -p root/fuzz/targets root/corpus/heap_fuzzer root/build/afl/bin fake-bin
  touch root/CMakeLists.txt
  printf 'max_len_1="\\x01"\n' >root/fuzz/targets/heap_fuzzer.dict
  printf '[libfuzzer]\nmax_len = 777\n' >root/fuzz/targets/heap_fuzzer.options
  printf 'seed' >root/corpus/heap_fuzzer/one
  printf '#!/bin/sh\nexit 0\n' >root/build/afl/bin/heap_fuzzer
  cat >fake-bin/afl-fuzz <<'EOF'
#!/usr/bin/env bash
set -eu
trap '' TERM  # allocfuzz stops the others at the first crash; each stand-in finishes anyway
args=("$@") out="" name=default
while [[ $# -gt 0 ]]; do
  case $1 in
    -o) out=$2; shift 2 ;;
    -M | -S) name=$2; shift 2 ;;
    *) shift ;;
  esac
done
printf '%s\n' "${args[@]}" >"$FAKE_SCRATCH/args.$name"
env | grep -E '^(AFL_|ALLOCFUZZ_)' | sort >"$FAKE_SCRATCH/env.$name"
if [[ ${FAKE_AFL:-crash} == fail ]]; then
  printf '\033[1;91m[-] PROGRAM ABORT : \033[0mfake failure\n'
  exit 1
fi
mkdir -p "$out/$name/queue" "$out/$name/crashes" "$out/$name/hangs"
cp work/heap_fuzzer/corpus/* "$out/$name/queue/"
execs=1000 crashes=0
[[ ${FAKE_AFL:-crash} == idle ]] && execs=0
if [[ ${FAKE_AFL:-crash} == crash ]]; then
  crashes=1
  cp "$FAKE_CRASH" "$out/$name/crashes/id:000000,sig:06,src:000000,time:1,execs:1,op:havoc,rep:2"
  cp "$FAKE_CRASH" "$out/$name/hangs/id:000000,src:000000,time:2,execs:2,op:havoc,rep:4"
fi
printf 'execs_done        : %d\ncorpus_count      : 1\nsaved_crashes     : %d\nsaved_hangs       : %d\nedges_found       : 100\ntotal_edges       : 4000\n' \
  "$execs" "$crashes" "$crashes" >"$out/$name/fuzzer_stats"
echo "[*] fake afl-fuzz $name done"
EOF
  chmod +x root/build/afl/bin/heap_fuzzer fake-bin/afl-fuzz
  export FAKE_SCRATCH=$PWD
}

test_run_afl_without_afl_fuzz_or_its_build_says_what_to_do() {
  PATH=/nonexistent run "$AF" run --engine=afl heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz run: afl-fuzz is not on PATH; install AFL++ (Debian: apt-get install afl++, or bash ci/deps.sh), then build the afl preset: cmake --workflow --preset afl"
  fake_afl_root
  rm root/build/afl/bin/heap_fuzzer
  PATH="$PWD/fake-bin:$PATH" run "$AF" --root=root run --engine=afl heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz run: no AFL++ build of heap_fuzzer ($(pwd -P)/root/build/afl/bin/heap_fuzzer); build the afl preset: cmake --workflow --preset afl"
  [[ ! -e root/work ]] || fail "work/ was made"
}

test_run_afl_minimizes_each_crash_and_hang_once() {
  fake_afl_root
  # test-overlap: every 3rd malloc returns the previous block; the frees are not needed.
  ops crash.ops '# allocfuzz ops v1' 'malloc s0 24' 'free s0' 'malloc s1 24' 'malloc s2 24' \
    'malloc s3 24'
  "$AF" encode crash.ops -o crash.bin
  FAKE_CRASH=$PWD/crash.bin PATH="$PWD/fake-bin:$PATH" \
    run "$AFT" --heap=test-overlap --root=root run --engine=afl heap_fuzzer 3 -- -p fast
  expect_status 1
  local instances cores
  instances=$(find . -maxdepth 1 -name 'args.*' | wc -l)
  cores=$(getconf _NPROCESSORS_ONLN)
  [[ $instances -eq $cores ]] || { show; fail "$instances afl-fuzz instances on $cores cores"; }
  grep -qE "^allocfuzz: heap_fuzzer ran [0-9.]+ s under afl-fuzz \($instances instances?\): $((instances * 1000)) executions \([0-9]+/s\), edges 100 of 4000, corpus 1 inputs \(1 seeds\), $instances crashes, $instances hangs, 2 new artifacts$" out.txt ||
    { show; fail "no summary"; }
  # The same bytes from every instance, as a crash and as a hang: one artifact of each.
  local crashes hash
  crashes=(root/artifacts/heap_fuzzer/afl-crash-????????????????)
  [[ ${#crashes[@]} -eq 1 && -f ${crashes[0]} ]] ||
    { ls root/artifacts/heap_fuzzer >&2; fail "not one afl-crash-HASH artifact"; }
  hash=${crashes[0]##*-}
  cmp crash.bin "root/artifacts/heap_fuzzer/afl-crash-$hash" || fail "the artifact is not the crash"
  cmp crash.bin "root/artifacts/heap_fuzzer/afl-hang-$hash" || fail "the hang artifact differs"
  expect_stdout_line "allocfuzz: new artifact artifacts/heap_fuzzer/afl-crash-$hash"
  expect_stdout_line "--- artifacts/heap_fuzzer/afl-crash-$hash.min.ops ---"
  expect_stdout_line "allocfuzz: new artifact artifacts/heap_fuzzer/afl-hang-$hash"
  expect_stdout_line "minimized to artifacts/heap_fuzzer/afl-hang-$hash.min.ops, the same program as artifacts/heap_fuzzer/afl-crash-$hash.min.ops"
  grep -qx "replay: .*/allocfuzz replay artifacts/heap_fuzzer/afl-crash-$hash.min.ops" out.txt ||
    { show; fail "no replay command"; }
  [[ $(grep -c '^malloc' "root/artifacts/heap_fuzzer/afl-crash-$hash.min.ops") -eq 3 ]] ||
    { cat "root/artifacts/heap_fuzzer/afl-crash-$hash.min.ops" >&2; fail "not minimized"; }
  # What afl-fuzz was given: the seeds' copy, its output directory, the time, the dictionary,
  # max_len as -G, the user's arguments, then the target; --heap in its environment.
  local first=default
  [[ $instances -gt 1 ]] && first=main
  printf '%s\n' -i work/heap_fuzzer/corpus -o work/heap_fuzzer/afl -V 3 >expected.txt
  [[ $instances -gt 1 ]] && printf '%s\n' -M main >>expected.txt
  printf '%s\n' -G 777 -x fuzz/targets/heap_fuzzer.dict -p fast -- build/afl/bin/heap_fuzzer >>expected.txt
  diff -u expected.txt "args.$first" >&2 || fail "afl-fuzz's arguments"
  for setting in AFL_BENCH_UNTIL_CRASH=1 AFL_NO_UI=1 ALLOCFUZZ_HEAP=test-overlap; do
    grep -qx "$setting" "env.$first" || { cat "env.$first" >&2; fail "no $setting"; }
  done
  grep -q "fake afl-fuzz $first done" root/work/heap_fuzzer/fuzz.log || fail "no log"
}

test_run_afl_fails_when_afl_fuzz_does_or_runs_nothing() {
  fake_afl_root
  FAKE_AFL=clean PATH="$PWD/fake-bin:$PATH" run "$AF" --root=root run --engine=afl heap_fuzzer 1
  expect_status 0
  grep -q ", 0 crashes, 0 hangs, 0 new artifacts$" out.txt || { show; fail "no clean summary"; }
  FAKE_AFL=idle PATH="$PWD/fake-bin:$PATH" run "$AF" --root=root run --engine=afl heap_fuzzer 1
  expect_status 2
  grep -q "^allocfuzz run: afl-fuzz ran no executions; the end of work/heap_fuzzer/fuzz.log:" err.txt ||
    { show; fail "no complaint about no executions"; }
  FAKE_AFL=fail PATH="$PWD/fake-bin:$PATH" run "$AF" --root=root run --engine=afl heap_fuzzer 1
  expect_status 2
  grep -qE "^allocfuzz run: afl-fuzz \((default|main|s[0-9]+)\) exited with status 1; the end of work/heap_fuzzer/fuzz.log:" err.txt ||
    { show; fail "no complaint about afl-fuzz"; }
  # Its colours are gone from the log.
  grep -qE "^  (\[[a-z0-9]+\] )?\[-\] PROGRAM ABORT : fake failure$" err.txt ||
    { show; fail "the log's tail lacks afl-fuzz's message, without colours"; }
}

"test_$name"
echo "PASS: $name"
