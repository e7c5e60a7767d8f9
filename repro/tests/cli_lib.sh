# shellcheck shell=bash
# The shared part of the command line's tests (repro/tests/cli_test.sh and every
# repro/tests/cli_*_test.sh), sourced by each of them first: it reads the arguments, makes and
# enters the test's scratch directory, and holds the helpers the tests share. A test file ends
# with `cli_run_test`, which runs the function test_NAME and prints PASS.
#
# usage of a test file: cli_X_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR
#   repro/CMakeLists.txt registers each `test_NAME()` of each such file as ctest cli.NAME (the
#   names are unique across the files). ALLOCFUZZ_TESTHEAPS is the same command line with
#   broken heaps (tests/test_heaps.cc): test-crash (free writes to address 0x10) and
#   test-overlap (every 3rd malloc returns the previous block).
# Exit status 77 is a skip (ctest SKIP_RETURN_CODE): a test of the defect switches in a build
# without them (release), or the other way round.
set -euo pipefail

name=$1
AF=$2
# shellcheck disable=SC2034  # the test files use AFT
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

# A program that exercises every operation and placement-independent results.
mixed_program() {
  ops "$1" '# allocfuzz ops v1' 'malloc s0 24' 'calloc s1 3 8' 'realloc s0 100' \
    'malloc s2 5000000000' 'foreign-grow 4096' 'malloc s3 70000' 'free s1' 'free s9' \
    'fill s0' 'realloc s0 0' 'foreign-release' 'check' 'fail-grow 2' 'malloc s4 200000' \
    'realloc s3 8' 'malloc s20 0'
}

# The heaps `list` shows, as the error messages name them: "free-array, kr" plus any other
# plugin allocator this build links (plugins/).
known_heaps() {
  "$AF" list | sed -n '/^heaps /,$p' | grep -E '^  [^ ]' | awk '{print $1}' | paste -sd, - |
    sed 's/,/, /g'
}

# Runs the test the first argument names; a test file calls it last, once every test_NAME is
# defined.
cli_run_test() {
  "test_$name"
  echo "PASS: $name"
}
