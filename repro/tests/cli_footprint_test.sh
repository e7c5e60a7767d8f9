#!/usr/bin/env bash
# Tests of `allocfuzz footprint`: a row per heap, glibc's mapped bytes, determinism, bad
# arguments and violations.
#
# usage: cli_footprint_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

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

cli_run_test
