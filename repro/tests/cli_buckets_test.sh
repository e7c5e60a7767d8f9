#!/usr/bin/env bash
# Tests of signatures and buckets: minimize keeps the whole signature, --ignore and
# --ignore-file are checked, and `allocfuzz gate` (cases, then `run`, then the verdict) driven
# through a stand-in afl-fuzz on the heap wrong-two-bugs (fuzz/heaps/wrong/region_heaps.h:
# content-corrupted in malloc after a malloc of the same size, and in realloc to 16 KiB or more
# over three other live blocks). The real fuzz run is ci/run_buckets.sh (fuzz build).
#
# usage: cli_buckets_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# The realloc bug at operation 7. The second 8-byte request follows a freed one, so it is no
# malloc bug; without `free s1` (and `fill s0` with it, the chunk ddmin removes first after the
# halves) the program meets the malloc bug first, content-corrupted too, at operation 2: a
# minimizer that kept only the kind took that and ended at `malloc s0 8`, `malloc s1 8`.
realloc_bug_ops() {
  ops "$1" '# allocfuzz ops v1' '# heap: wrong-two-bugs' 'malloc s0 40' 'malloc s1 8' 'fill s0' \
    'free s1' 'malloc s2 8' 'malloc s3 56' 'malloc s4 64' 'realloc s4 20000'
}

test_minimize_keeps_the_operation_of_the_signature() {
  realloc_bug_ops b.ops
  # The slide a kind-only minimizer takes: two operations less is the other bug.
  grep -vE '^(fill s0|free s1)$' b.ops >slid.ops
  run "$AFT" replay slid.ops
  expect_status 1
  expect_stdout_line "allocfuzz: violation content-corrupted at operation 2: malloc s2 8"
  run "$AFT" minimize b.ops
  expect_status 0
  expect_stdout_line "minimize: b.ops: violation content-corrupted at operation 7 (8 operations)"
  expect_stdout_line "minimize: keeping the signature content-corrupted op=realloc"
  [[ $(tail -n 1 b.min.ops) == "realloc "* ]] || { cat b.min.ops >&2; fail "slid off realloc"; }
  run "$AFT" replay b.min.ops
  expect_status 1
  grep -qE "^allocfuzz: violation content-corrupted at operation [0-9]+: realloc s[0-9]+ [0-9]+$" \
    out.txt || { show; fail "the repro is not the realloc bug"; }
  run "$AFT" check b.min.ops
  expect_status 0
}

test_ignore_flags_are_checked() {
  run "$AF" run heap_fuzzer 1 --ignore=overlap
  expect_status 2
  expect_stderr "allocfuzz: --ignore: signature 'overlap' has no ' op=OPNAME' after its kind
(allocfuzz help for usage)"
  run "$AF" run heap_fuzzer 1 --ignore='overlap op=free,bogus op=free'
  expect_status 2
  grep -qF "allocfuzz: --ignore: signature 'bogus op=free' has unknown violation kind 'bogus'" err.txt ||
    { show; fail "the second of a comma list was not checked"; }
  printf '# known\noverlap op=free  # a comment\n\ncrash:SIGSEGV free\n' >ignore.txt
  run "$AF" gate heap_fuzzer 1 --ignore-file=ignore.txt
  expect_status 2
  expect_stderr "ignore.txt:4: signature 'crash:SIGSEGV free' has no ' op=OPNAME' after its kind"
  run "$AF" run heap_fuzzer 1 --ignore-file=missing.txt
  expect_status 2
  grep -q "^missing.txt: cannot read" err.txt || { show; fail "no error for a missing file"; }
  run "$AF" run heap_fuzzer 1 --ignore=
  expect_status 2
  run "$AF" --ignore='overlap op=free' list
  expect_status 2
  expect_stderr "allocfuzz: --ignore goes with run and gate only
(allocfuzz help for usage)"
}

# A repository root for `--root=` with its own repro/cases/ (one case that any correct heap
# passes, and that wrong-two-bugs passes too), a stand-in AFL++ build of wrong_heap_fuzzer and a
# stand-in afl-fuzz on PATH that saves every file of $FAKE_CRASHES as a crash and runs 1000
# executions.
gate_root() {
  mkdir -p root/fuzz/targets root/corpus/heap_fuzzer root/build/afl/bin root/repro/cases fake-bin \
    crashes
  touch root/CMakeLists.txt
  ops root/repro/cases/passes.ops '# allocfuzz ops v1' '# expect: ok' 'malloc s0 24' 'free s0'
  "$AF" encode root/repro/cases/passes.ops -o root/corpus/heap_fuzzer/one
  printf '#!/bin/sh\nexit 0\n' >root/build/afl/bin/wrong_heap_fuzzer
  cat >fake-bin/afl-fuzz <<'STANDIN'
#!/usr/bin/env bash
set -eu
out="" name=default
while [[ $# -gt 0 ]]; do
  case $1 in
    -o) out=$2; shift 2 ;;
    -M | -S) name=$2; shift 2 ;;
    *) shift ;;
  esac
done
mkdir -p "$out/$name/queue" "$out/$name/crashes" "$out/$name/hangs"
cp work/wrong_heap_fuzzer/corpus/* "$out/$name/queue/"
n=0
for crash in "$FAKE_CRASHES"/*; do
  [[ -e $crash ]] || continue
  cp "$crash" "$out/$name/crashes/id:00000$n,sig:06,src:000000,time:$n,execs:$n,op:havoc,rep:2"
  n=$((n + 1))
done
printf 'execs_done        : 1000\ncorpus_count      : 1\nsaved_crashes     : %d\nsaved_hangs       : 0\nedges_found       : 100\ntotal_edges       : 4000\n' \
  "$n" >"$out/$name/fuzzer_stats"
STANDIN
  chmod +x root/build/afl/bin/wrong_heap_fuzzer fake-bin/afl-fuzz
  export FAKE_CRASHES=$PWD/crashes
  # Three inputs of the malloc bug and one of the realloc bug, without a heap of their own
  # (--heap gives it).
  local i
  for i in 8 16 24; do
    ops "m$i.ops" '# allocfuzz ops v1' "malloc s0 $i" "malloc s1 $i"
    "$AFT" encode "m$i.ops" -o "crashes/m$i"
  done
  realloc_bug_ops r.ops
  grep -v '^# heap:' r.ops >r-plain.ops
  "$AFT" encode r-plain.ops -o crashes/r
}

gate() {  # gate ARGS...: allocfuzz_testheaps gate on wrong-two-bugs through the stand-in
  PATH="$PWD/fake-bin:$PATH" run "$AFT" --root=root --heap=wrong-two-bugs gate --engine=afl \
    wrong_heap_fuzzer 1 "$@"
}

# The row of bucket $1 in the table, its seconds replaced by S and runs of spaces squeezed.
bucket_row() {
  grep -E "^  $1  " out.txt | sed -E 's/ [0-9]+\.[0-9] s / S s /; s/ +/ /g'
}

test_gate_runs_the_cases_then_buckets_the_run() {
  gate_root
  gate
  expect_status 1
  expect_stdout_line "allocfuzz gate: 1 regression cases of repro/cases/ on the heap wrong-two-bugs"
  expect_stdout_line "allocfuzz gate: 1 of 1 cases passed"
  grep -qE "^buckets: 2 \(2 new\); first seen: the mtime of the file afl-fuzz saved, wall-clock seconds after the run's start \(not deterministic\)$" \
    out.txt || { show; fail "no table header"; }
  local malloc_row realloc_row
  malloc_row=$(bucket_row "content-corrupted op=malloc")
  realloc_row=$(bucket_row "content-corrupted op=realloc")
  [[ $malloc_row =~ ^\ content-corrupted\ op=malloc\ 3\ S\ s\ new\ artifacts/wrong_heap_fuzzer/afl-crash-[0-9a-f]{16}\.min\.ops$ ]] ||
    { show; fail "malloc row: '$malloc_row'"; }
  [[ $realloc_row =~ ^\ content-corrupted\ op=realloc\ 1\ S\ s\ new\ artifacts/wrong_heap_fuzzer/afl-crash-[0-9a-f]{16}\.min\.ops$ ]] ||
    { show; fail "realloc row: '$realloc_row'"; }
  # Sorted by first seen, then signature: the malloc inputs were saved first (or at the same
  # clock tick, and op=malloc sorts first).
  [[ $(awk '/^  content-corrupted op=/ { printf "%s ", $2 }' out.txt) == "op=malloc op=realloc " ]] ||
    { show; fail "rows out of order"; }
  # Each repro replays as its own bucket.
  local repro
  repro=$(awk '{ print $NF }' <<<"$realloc_row")
  grep -qx "    replay: .*/allocfuzz_testheaps replay $repro" out.txt || { show; fail "no replay"; }
  (cd root && "$AFT" replay "$repro") >replay.txt || true
  grep -qE "^allocfuzz: violation content-corrupted at operation [0-9]+: realloc " replay.txt ||
    { cat replay.txt >&2; fail "$repro is not the realloc bug"; }
  expect_stdout_line "allocfuzz gate: FAIL: 0 failed cases, new buckets (see the table)"
}

test_gate_passes_when_every_bucket_is_ignored() {
  gate_root
  printf 'content-corrupted op=realloc  # known\n' >ignore.txt
  gate --ignore='content-corrupted op=malloc' --ignore-file=ignore.txt
  expect_status 0
  grep -qE "^buckets: 2 \(0 new\)" out.txt || { show; fail "not 0 new"; }
  [[ $(bucket_row "content-corrupted op=malloc") == *" 3 S s ignored "* ]] ||
    { show; fail "the malloc bucket is not marked ignored"; }
  [[ $(bucket_row "content-corrupted op=realloc") == *" 1 S s ignored "* ]] ||
    { show; fail "the realloc bucket is not marked ignored"; }
  expect_stdout_line "allocfuzz gate: pass: 0 failed cases, no new bucket"
  # One of the two ignored: the other is new.
  gate --ignore='content-corrupted op=malloc'
  expect_status 1
  grep -qE "^buckets: 2 \(1 new\)" out.txt || { show; fail "not 1 new"; }
}

test_gate_fails_on_a_failing_case_even_when_the_run_is_clean() {
  gate_root
  rm crashes/*
  ops root/repro/cases/repeats.ops '# allocfuzz ops v1' '# expect: ok' 'malloc s0 24' 'malloc s1 24'
  gate
  expect_status 1
  expect_stdout_line "allocfuzz gate: 2 regression cases of repro/cases/ on the heap wrong-two-bugs"
  expect_stdout_line "allocfuzz gate: 1 of 2 cases passed"
  expect_stdout_line "allocfuzz gate: FAIL: 1 failed cases, no new bucket"
  # On a correct heap both pass and the clean run passes.
  PATH="$PWD/fake-bin:$PATH" run "$AFT" --root=root gate --engine=afl wrong_heap_fuzzer 1
  expect_status 0
  expect_stdout_line "allocfuzz gate: 2 regression cases of repro/cases/ on the heap free-array"
  expect_stdout_line "allocfuzz gate: pass: 0 failed cases, no new bucket"
}

test_run_names_the_first_broken_operation_of_a_heap_without_our_checker() {
  gate_root
  rm crashes/*
  # wrong-drain-realloc-lists-twice's row (fuzz/heaps/wrong/region_rows.h): the moving realloc
  # at operation 2 lists the old block twice; the overlap shows at operation 6.
  ops lists-twice.ops '# allocfuzz ops v1' 'malloc s0 24' 'malloc s1 24' 'realloc s0 100' \
    'malloc s2 200' 'free s1' 'malloc s3 16' 'malloc s4 16'
  "$AFT" encode lists-twice.ops -o crashes/lists-twice
  PATH="$PWD/fake-bin:$PATH" run "$AFT" --root=root --heap=wrong-drain-realloc-lists-twice \
    run --engine=afl wrong_heap_fuzzer 1
  expect_status 1
  # For the minimized repro (4 operations), under its bucket's row.
  grep -A1 -E "^  overlap op=malloc +1 " out.txt | tail -n 1 >broken.txt
  [[ $(cat broken.txt) == "    heap first broken at operation 2 (the probe after it fails with overlap at its step 3: block at +0x000008 of 0 bytes overlaps live block s0 at +0x000008 of 16 bytes), symptom at operation 3" ]] ||
    { show; fail "no first-broken line under the row"; }
  # A heap with our checker (wrong-two-bugs is the free-array heap underneath) gets none.
  gate_root
  gate
  grep -qE "^buckets: [1-9]" out.txt || { show; fail "no buckets on wrong-two-bugs"; }
  grep -q "heap first broken" out.txt && { show; fail "a first-broken line on a checked heap"; }
  true
}

test_gate_usage_errors() {
  run "$AF" gate heap_fuzzer
  expect_status 2
  expect_stderr "allocfuzz: gate takes TARGET SECONDS
(allocfuzz help for usage)"
  run "$AF" gate ops_text_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz: gate: ops_text_fuzzer runs no single heap; gate takes heap_fuzzer or a plugin's NAME_fuzzer
(allocfuzz help for usage)"
  run "$AF" gate no_such_fuzzer 1
  expect_status 2
}

cli_run_test
