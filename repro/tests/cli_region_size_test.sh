#!/usr/bin/env bash
# The region's size per program: `# region-size: BYTES` and --region-size=BYTES (which
# overrides it), from one page to the reservation (fuzz/program/ops.h, fuzz/harness/
# program_region.h); out of range or malformed, a FILE:LINE error or a usage error, exit 2.
# shellcheck source=repro/tests/cli_lib.sh
source "$(dirname "$0")/cli_lib.sh"

# 5000 + 5000 bytes fit the default 1 MiB region but not an 8 KiB one: there the second malloc
# is refused, fairly, with ENOMEM (no finding).
write_two_blocks() {
  ops p.ops '# allocfuzz ops v1' '# region-size: 8192' '# expect: ok' 'malloc s0 5000' \
    'malloc s1 5000' 'check'
}

test_region_size_header_sizes_the_region() {
  write_two_blocks
  run "$AF" replay p.ops
  expect_status 0
  expect_stdout_line '   0  malloc s0 5000          -> +0x000008'
  expect_stdout_line '   1  malloc s1 5000          -> NULL'
  run "$AF" check p.ops
  expect_status 0
  expect_stdout_line 'PASS p.ops (ok)'
  # fmt keeps the header where the canonical text puts it.
  run "$AF" fmt p.ops
  expect_status 0
  expect_stdout_line '# region-size: 8192'
}

test_region_size_flag_overrides_the_header() {
  write_two_blocks
  run "$AF" replay --region-size=1048576 p.ops
  expect_status 0
  expect_stdout_line '   1  malloc s1 5000          -> +0x001398'
  # A 3 MiB block fits a 4 MiB region only.
  ops big.ops '# allocfuzz ops v1' 'malloc s0 3145728' 'check'
  run "$AF" replay big.ops
  expect_stdout_line '   0  malloc s0 3145728       -> NULL'
  run "$AF" replay --region-size 4194304 big.ops
  expect_status 0
  expect_stdout_line '   0  malloc s0 3145728       -> +0x000008'
}

test_region_size_out_of_range_is_refused() {
  ops big.ops '# allocfuzz ops v1' '# region-size: 67108865' 'malloc s0 8'
  run "$AF" check big.ops
  expect_status 2
  expect_stderr 'big.ops:2: region size 67108865 is outside 4096 .. 67108864 (one page to the reservation)'
  ops small.ops '# allocfuzz ops v1' '# region-size: 4095' 'malloc s0 8'
  run "$AF" replay small.ops
  expect_status 2
  expect_stderr 'small.ops:2: region size 4095 is outside 4096 .. 67108864 (one page to the reservation)'
  ops ok.ops '# allocfuzz ops v1' 'malloc s0 8'
  run "$AF" replay --region-size=100 ok.ops
  expect_status 2
  grep -qxF 'allocfuzz: --region-size: region size 100 is outside 4096 .. 67108864 (one page to the reservation)' err.txt ||
    { show; fail "no range error"; }
  run "$AF" replay --region-size=8k ok.ops
  expect_status 2
  grep -qxF "allocfuzz: --region-size must be a number of bytes, not '8k'" err.txt ||
    { show; fail "no number error"; }
}

cli_run_test
