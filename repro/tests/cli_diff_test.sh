#!/usr/bin/env bash
# Tests of `--diff`: differential replay, divergences found and minimized, bad headers and
# flags.
#
# usage: cli_diff_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

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
  # --diff=all is every registered heap, plugins included, in the order of `allocfuzz list`; it
  # overrides the header.
  local all
  all=$("$AF" list | sed -n '/^heaps/,$p' | awk '/^  [a-z]/ {print $1}' | paste -sd, - |
    sed 's/,/, /g')
  [[ $all == "free-array, glibc, mimalloc, jemalloc, tcmalloc, kr"* ]] || fail "allocfuzz list shows the heaps: $all"
  run "$AF" --diff=all replay p.ops
  expect_status 0
  expect_stdout_line "diff: $all"
  # mimalloc's realloc(p, 0) is a block where the others free: its profile says so, and the
  # trace names the profile line instead of reporting a divergence.
  expect_stdout_line "   3  realloc s1 0            free-array, glibc, jemalloc, tcmalloc, kr$(
    )${all#free-array, glibc, mimalloc, jemalloc, tcmalloc, kr}: NULL (freed); mimalloc: a block"
  expect_stdout_line "      explained by the profiles: realloc(p, 0): frees (free-array, glibc, $(
    )jemalloc, tcmalloc, kr${all#free-array, glibc, mimalloc, jemalloc, tcmalloc, kr}); block (mimalloc)"
  expect_stdout_line "ok: 7 operations, the heaps agree ($all), 1 difference explained by their profiles"
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

cli_run_test
