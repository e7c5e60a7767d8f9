#!/usr/bin/env bash
# Tests that every fuzzer input replays (FORMAT.md, "End of input"), that operation families can
# be left out (FORMAT.md, "Families"), and of the repeat form at the command line, run by ctest:
# each `test_NAME()` below is the ctest test cli.NAME (repro/CMakeLists.txt finds them).
#
# usage: cli_inputs_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
#   The fuzz targets are found beside ALLOCFUZZ (every executable lands in build/PRESET/bin/).
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

cases="$(cd "$(dirname "${BASH_SOURCE[0]}")/../cases" && pwd)"
bin="$(dirname "$AF")"

# "kind=K op=N" of the fuzzer's finding line in err.txt.
fuzzer_finding() {
  sed -n 's/^allocfuzz-finding: kind=\([^ ]*\) op=\([0-9]*\) .*/kind=\1 op=\2/p' err.txt
}

# "kind=K op=N" of replay's violation line in out.txt.
replay_finding() {
  sed -n 's/^allocfuzz: violation \([^ ]*\) at operation \([0-9]*\):.*/kind=\1 op=\2/p' out.txt
}

# The done-when test of "every fuzzer input replays": an artifact whose last operation is cut
# short, as libFuzzer keeps them, fails the fuzz target and `allocfuzz replay` alike, with the
# same kind at the same operation, and replay says in one line what it dropped.
test_an_artifact_with_an_incomplete_last_operation_replays_as_the_fuzzer_ran_it() {
  needs_defects
  run "$AF" encode "$cases/defect_small_grow.ops" -o program.bin
  expect_status 0
  # realloc s0 with its size missing: 0x05 is realloc s0, the size byte never comes.
  cp program.bin crash.bin
  printf '\x05' >>crash.bin
  run env ALLOCFUZZ_DEFECT=small-grow "$bin/heap_fuzzer" crash.bin
  [[ $status != 0 ]] || { show; fail "heap_fuzzer did not stop"; }
  local fuzzer
  fuzzer=$(fuzzer_finding)
  [[ $fuzzer == "kind=usable-too-small op=1" ]] || { show; fail "fuzzer found '$fuzzer'"; }
  run "$AF" --defect=small-grow replay crash.bin
  expect_status 1
  [[ $(replay_finding) == "$fuzzer" ]] || { show; fail "replay found '$(replay_finding)', the fuzzer '$fuzzer'"; }
  expect_stdout_line "allocfuzz: note: crash.bin: byte 5 is an incomplete last operation (realloc), dropped as the fuzzer drops it"
  [[ $(grep -c '^allocfuzz: note:' out.txt) == 1 ]] || { show; fail "not exactly one note"; }
  # minimize reads it too, and keeps the finding.
  run "$AF" --defect=small-grow minimize crash.bin -o crash.min.ops
  expect_status 0
  grep -qxF "realloc s0 10" crash.min.ops || { cat crash.min.ops >&2; fail "minimize lost the realloc"; }
}

# Every prefix of a program's bytes is read, never refused: a prefix that ends inside an item
# is the prefix before that item plus a note naming where the item began.
test_every_prefix_of_a_binary_is_read_as_the_prefix_of_whole_items() {
  ops p.ops '# allocfuzz ops v1' '# limit: 1048576' 'malloc s0 24' 'calloc s16 3 300' \
    'realloc s0 18446744073709551615' 'fail-grow 3' 'repeat 40 2 free s1'
  run "$AF" encode p.ops -o p.bin
  expect_status 0
  local size n start
  size=$(stat -c %s p.bin)
  for ((n = 0; n <= size; n++)); do
    head -c "$n" p.bin >prefix.bin
    run "$AF" fmt prefix.bin
    expect_status 0
    cp out.txt "text.$n"
    if grep -q "the limit that byte 0 announces is missing" err.txt; then
      diff -u text.0 "text.$n" >&2 || fail "prefix $n is not the empty program"
    elif [[ -s err.txt ]]; then
      start=$(sed -n 's/^allocfuzz: note: prefix.bin: bytes\{0,1\} \([0-9]*\).*/\1/p' err.txt)
      [[ -n $start && $start -lt $n ]] || { show; fail "prefix $n: bad note"; }
      diff -u "text.$start" "text.$n" >&2 || fail "prefix $n is not prefix $start plus a dropped item"
    fi
  done
  diff -u <("$AF" fmt p.ops) "text.$size" >&2 || fail "the whole binary is not the program"
}

# Random bytes never crash a reader: fmt and replay take each (exit 0 or 1, never a signal or
# a usage error).
test_random_bytes_never_crash_the_readers() {
  local i
  for i in $(seq 1 40); do
    LC_ALL=C awk -v seed="$i" \
      'BEGIN { srand(seed); n = int(rand() * 200); for (j = 0; j < n; j++) printf "%c", int(rand() * 256) }' \
      >"random.$i"
    run "$AF" fmt "random.$i"
    expect_status 0
    run "$AF" --timeout=10 replay "random.$i"
    [[ $status == 0 || $status == 1 ]] || { show; fail "replay random.$i: exit status $status"; }
  done
}

# --- operation families -----------------------------------------------------------------------

test_a_text_that_uses_a_family_its_header_leaves_out_is_an_error_at_that_line() {
  ops p.ops '# allocfuzz ops v1' '# ops: -foreign,-fail-grow' '# expect: ok' 'malloc s0 8' \
    'fail-grow 2'
  expect_rejected p.ops \
    "p.ops:5: 'fail-grow' is of family 'fail-grow', which '# ops:' leaves out (-foreign,-fail-grow)"
  ops q.ops '# allocfuzz ops v1' '# expect: ok' 'malloc s0 8' 'foreign-grow 16'
  run "$AF" --ops=-foreign check q.ops
  expect_status 2
  expect_stderr "q.ops:4: 'foreign-grow' is of family 'foreign', which --ops leaves out (-foreign)"
  run "$AF" --ops=-fail-grow check q.ops
  expect_status 0
}

test_an_unknown_family_is_a_usage_error() {
  ops p.ops '# allocfuzz ops v1' '# ops: -foriegn' 'malloc s0 8'
  expect_rejected p.ops \
    "p.ops:2: unknown operation family 'foriegn' (families: api, fill, check, foreign, fail-grow, aligned, sized)"
  for verb in replay check minimize fmt encode; do
    run "$AF" --ops=-nope "$verb" p.ops
    expect_status 2
    expect_stderr "allocfuzz: --ops: unknown operation family 'nope' (families: api, fill, check, foreign, fail-grow, aligned, sized)
(allocfuzz help for usage)"
  done
  run "$AF" --ops=foreign fmt p.ops
  expect_status 2
  for target in heap_fuzzer diff_fuzzer; do
    run env ALLOCFUZZ_OPS=-nope "$bin/$target" p.ops
    expect_status 2
    grep -qxF "$target: ALLOCFUZZ_OPS: unknown operation family 'nope' (families: api, fill, check, foreign, fail-grow, aligned, sized)" err.txt ||
      { show; fail "$target did not name the bad family"; }
  done
}

# A binary read with --ops skips what the fuzzer with ALLOCFUZZ_OPS skips, says so once, and
# fmt writes the header that keeps it so.
test_a_binary_read_with_ops_skips_those_families_as_the_fuzzer_does() {
  ops p.ops '# allocfuzz ops v1' 'malloc s0 8' 'foreign-grow 4096' 'fail-grow 1' 'malloc s1 8' \
    'foreign-release'
  run "$AF" encode p.ops -o p.bin
  run "$AF" --ops=-foreign,-fail-grow fmt p.bin
  expect_status 0
  expect_stderr "allocfuzz: note: p.bin: 3 operations of left-out families (-foreign,-fail-grow) were skipped, as the fuzzer skips them"
  printf '%s\n' '# allocfuzz ops v1' '# ops: -foreign,-fail-grow' 'malloc s0 8' 'malloc s1 8' >expected.txt
  diff -u expected.txt out.txt >&2 || fail "fmt --ops did not skip the families"
  # encode says that the binary does not keep the header, and how to get it back.
  cp out.txt left_out.ops
  run "$AF" encode left_out.ops -o left_out.bin
  expect_status 0
  expect_stderr "allocfuzz: note: left_out.ops: the binary does not keep '# ops: -foreign,-fail-grow'; replay it with --ops=-foreign,-fail-grow, and fuzz with ALLOCFUZZ_OPS=-foreign,-fail-grow"
  run "$AF" --ops=-foreign replay p.bin
  expect_status 0
  expect_stdout_line "allocfuzz: note: p.bin: 2 operations of left-out families (-foreign) were skipped, as the fuzzer skips them"
  expect_stdout_line "   1  fail-grow 1"
}

# The fuzz target leaves the families of ALLOCFUZZ_OPS out, and its replay command carries
# --ops, so that it replays what the fuzzer ran.
test_the_fuzz_target_skips_the_families_of_allocfuzz_ops_and_says_how_to_replay() {
  needs_defects
  # The defect shows only after a foreign move of the break: without foreign it passes.
  ops p.ops '# allocfuzz ops v1' 'malloc s0 8' 'foreign-grow 16' 'realloc s0 10'
  run "$AF" encode p.ops -o p.bin
  run env ALLOCFUZZ_DEFECT=small-grow "$bin/heap_fuzzer" p.bin
  [[ $status != 0 ]] || { show; fail "heap_fuzzer did not stop"; }
  [[ $(fuzzer_finding) == "kind=usable-too-small op=2" ]] || { show; fail "found '$(fuzzer_finding)'"; }
  grep -qxF "allocfuzz: replay with: allocfuzz replay <this input>" err.txt || { show; fail "replay line"; }
  run env ALLOCFUZZ_DEFECT=small-grow ALLOCFUZZ_OPS=-foreign "$bin/heap_fuzzer" p.bin
  [[ $status != 0 ]] || { show; fail "heap_fuzzer did not stop"; }
  [[ $(fuzzer_finding) == "kind=usable-too-small op=1" ]] || { show; fail "found '$(fuzzer_finding)'"; }
  grep -qxF "allocfuzz: replay with: allocfuzz replay --ops=-foreign <this input>" err.txt ||
    { show; fail "the replay line lacks --ops"; }
  run "$AF" --defect=small-grow --ops=-foreign replay p.bin
  expect_status 1
  [[ $(replay_finding) == "kind=usable-too-small op=1" ]] || { show; fail "replay found '$(replay_finding)'"; }
  # minimize of the binary keeps the header, so the minimized text replays alone.
  run "$AF" --defect=small-grow --ops=-foreign minimize p.bin -o p.min.ops
  expect_status 0
  grep -qxF "# ops: -foreign" p.min.ops || { cat p.min.ops >&2; fail "minimize dropped '# ops:'"; }
  run "$AF" --defect=small-grow replay p.min.ops
  expect_status 1
}

# --- the repeat form --------------------------------------------------------------------------

test_repeat_builds_hundreds_of_blocks_in_a_few_bytes() {
  ops p.ops '# allocfuzz ops v1' 'repeat 600 1 malloc s0 24' 'repeat 300 2 free s0' 'check'
  run "$AF" encode p.ops -o p.bin
  expect_status 0
  [[ $(stat -c %s p.bin) -lt 20 ]] || fail "900 operations took $(stat -c %s p.bin) bytes"
  run "$AF" fmt p.bin
  expect_status 0
  [[ $(grep -c '^malloc ' out.txt) == 600 && $(grep -c '^free ' out.txt) == 300 ]] ||
    fail "fmt did not print the 900 operations"
  grep -qxF "free s598" out.txt || fail "the frees' slots do not advance by 2"
  cp out.txt flat.ops
  run "$AF" encode flat.ops -o again.bin
  cmp p.bin again.bin || fail "the printed program does not encode back to the repeat form"
  run "$AF" replay p.bin
  expect_status 0
  ops bad.ops '# allocfuzz ops v1' 'repeat 0 1 malloc s0 8'
  expect_rejected bad.ops "bad.ops:2: repeat count 0 is not in 1..1024"
}

cli_run_test
