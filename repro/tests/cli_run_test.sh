#!/usr/bin/env bash
# Tests of `allocfuzz run`: outside a fuzz build, and --engine=afl driven through a stand-in
# afl-fuzz.
#
# usage: cli_run_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# --- run --------------------------------------------------------------------------------------

test_run_outside_a_fuzz_build_says_how_to_get_one() {
  run "$AF" run heap_fuzzer 1
  expect_status 2
  grep -q "build the fuzz preset: cmake --workflow --preset fuzz" err.txt || { show; fail "no hint"; }
  run "$AF" run no_such_fuzzer
  expect_status 2
  expect_stderr "allocfuzz run: unknown target 'no_such_fuzzer' (known: heap_fuzzer, diff_fuzzer, ops_text_fuzzer, kr_fuzzer, oldgnu_fuzzer)"
  run "$AF" run heap_fuzzer soon
  expect_status 2
}

# --- run --engine=afl -------------------------------------------------------------------------

test_run_engine_flag_is_checked() {
  run "$AF" run --engine=bogus heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz: --engine must be libfuzzer or afl, not 'bogus'
(allocfuzz help for usage)"
  run "$AF" --engine=afl list
  expect_status 2
  expect_stderr "allocfuzz: --engine goes with run and gate only
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
trap '' TERM  # each stand-in finishes by itself
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

# --ops reaches the fuzzer as ALLOCFUZZ_OPS, and the minimized repro keeps it as '# ops:', so
# that the printed replay command replays what the fuzzer ran.
test_run_passes_ops_to_the_fuzzer_and_keeps_it_in_the_repro() {
  fake_afl_root
  ops crash.ops '# allocfuzz ops v1' 'malloc s0 24' 'malloc s1 24' 'malloc s2 24'
  "$AF" encode crash.ops -o crash.bin
  FAKE_CRASH=$PWD/crash.bin PATH="$PWD/fake-bin:$PATH" \
    run "$AFT" --heap=test-overlap --ops=-foreign,-fail-grow --root=root run --engine=afl heap_fuzzer 1
  expect_status 1
  local env_file
  env_file=$(find . -maxdepth 1 -name 'env.*' | head -n 1)
  grep -qx "ALLOCFUZZ_OPS=-foreign,-fail-grow" "$env_file" || { cat "$env_file" >&2; fail "no ALLOCFUZZ_OPS"; }
  local repro
  repro=$(sed -n 's/^ *replay: .*\/allocfuzz_testheaps replay \(artifacts\/heap_fuzzer\/afl-crash-.*\.min\.ops\)$/\1/p' out.txt)
  [[ -n $repro ]] || { show; fail "no replay command"; }
  grep -qxF "# ops: -foreign,-fail-grow" "root/$repro" || { cat "root/$repro" >&2; fail "the repro lost '# ops:'"; }
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

test_run_afl_buckets_its_crashes_and_hangs() {
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
  # Both replay as the same bug: one bucket of two inputs, the crash (saved first) minimized.
  grep -qE "^  overlap op=malloc +2 +[0-9.]+ s  new +artifacts/heap_fuzzer/afl-crash-$hash.min.ops$" out.txt ||
    { show; fail "no bucket row"; }
  grep -qx "    replay: .*/allocfuzz_testheaps replay artifacts/heap_fuzzer/afl-crash-$hash.min.ops" out.txt ||
    { show; fail "no replay command"; }
  [[ ! -e root/artifacts/heap_fuzzer/afl-hang-$hash.min.ops ]] || fail "the second input was minimized too"
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
  # No stop at the first crash: the run keeps fuzzing past what it has found.
  grep -q AFL_BENCH_UNTIL_CRASH "env.$first" && { cat "env.$first" >&2; fail "stops at a crash"; }
  for setting in AFL_NO_UI=1 ALLOCFUZZ_HEAP=test-overlap; do
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

cli_run_test
