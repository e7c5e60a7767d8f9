#!/usr/bin/env bash
# Tests of `allocfuzz cmin` and `allocfuzz coverage`: usage errors, and what they need that
# the build or the machine lacks.
#
# usage: cli_cmin_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- cmin and coverage ------------------------------------------------------------------------
# These check what each verb refuses before it starts anything (no build, no fuzzer). Their end
# to end runs (a coverage build, a libFuzzer merge) take a whole preset and are not run here.

test_cmin_and_coverage_usage_errors() {
  local known="heap_fuzzer, diff_fuzzer, ops_text_fuzzer, kr_fuzzer, oldgnu_fuzzer"  # the plugins' last
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

cli_run_test
