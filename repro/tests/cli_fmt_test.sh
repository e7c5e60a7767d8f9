#!/usr/bin/env bash
# Tests of `allocfuzz fmt` and `allocfuzz encode`.
#
# usage: cli_fmt_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

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

cli_run_test
