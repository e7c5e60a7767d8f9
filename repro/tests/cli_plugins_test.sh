#!/usr/bin/env bash
# Tests of the plugins' fuzz targets on the command line: `allocfuzz list` shows each NAME_fuzzer,
# `run`, `cmin` and `coverage` know it and give it its own heap, its own work/NAME_fuzzer/ and
# artifacts/NAME_fuzzer/ (shown with --engine=afl through a stand-in afl-fuzz, since this build's
# targets are no libFuzzer binaries), and `run --empty` is checked.
#
# usage: cli_plugins_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR (see cli_lib.sh)
# shellcheck source-path=SCRIPTDIR source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

test_list_shows_every_plugin_target() {
  run "$AF" list
  expect_status 0
  expect_stdout_line "  kr_fuzzer          heap_fuzzer on the plugin heap kr, in work/kr_fuzzer/ and artifacts/kr_fuzzer/"
  expect_stdout_line "  oldgnu_fuzzer      heap_fuzzer on the plugin heap oldgnu, in work/oldgnu_fuzzer/ and artifacts/oldgnu_fuzzer/"
  # The targets come before the heaps, and each plugin heap is listed too.
  [[ $(grep -n '^  oldgnu_fuzzer ' out.txt | cut -d: -f1) -lt $(grep -n '^heaps' out.txt | cut -d: -f1) ]] ||
    { show; fail "the plugin targets are not among the fuzz targets"; }
  grep -q '^  oldgnu  ' out.txt || { show; fail "no heap oldgnu"; }
}

test_plugin_targets_run_their_own_heap_only() {
  # Known to run: it gets as far as the build check, which names the target.
  run "$AF" run kr_fuzzer 1
  expect_status 2
  grep -qF "use build/fuzz/bin/allocfuzz run kr_fuzzer" err.txt || { show; fail "no hint"; }
  run "$AF" --heap=kr run kr_fuzzer 1
  expect_status 2
  grep -qF "use build/fuzz/bin/allocfuzz run kr_fuzzer" err.txt || { show; fail "--heap=kr refused"; }
  run "$AF" --heap=glibc run kr_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz run: kr_fuzzer fuzzes the heap kr, not glibc; for another heap use heap_fuzzer --heap=glibc"
  run "$AF" --heap=free-array cmin oldgnu_fuzzer
  expect_status 2
  expect_stderr "allocfuzz cmin: oldgnu_fuzzer fuzzes the heap oldgnu, not free-array; for another heap use heap_fuzzer --heap=free-array"
  run "$AF" --heap=kr coverage oldgnu_fuzzer
  expect_status 2
  expect_stderr "allocfuzz coverage: oldgnu_fuzzer fuzzes the heap oldgnu, not kr; for another heap use heap_fuzzer --heap=kr"
  # A plugin has no defects.
  run "$AF" --defect=addr32 run kr_fuzzer 1
  expect_status 2
  grep -q "^allocfuzz run: .*addr32" err.txt || { show; fail "a defect on kr was not refused"; }
}

test_run_empty_is_checked() {
  run "$AF" run --empty --engine=afl heap_fuzzer 1
  expect_status 2
  expect_stderr "allocfuzz run: --empty goes with libFuzzer only: afl-fuzz needs at least one input"
  ops p.ops '# allocfuzz ops v1' 'malloc s0 8'
  run "$AF" --empty replay p.ops
  expect_status 2
  expect_stderr "allocfuzz: --empty goes with run only
(allocfuzz help for usage)"
  run "$AF" help run
  grep -qF -- "--empty             fuzz from no corpus" out.txt || { show; fail "no --empty in help"; }
}

# A root with a stand-in AFL++ build of kr_fuzzer and a stand-in afl-fuzz that records its
# arguments and environment and saves its first input as a crash.
test_run_plugin_target_has_its_own_work_and_artifacts() {
  mkdir -p root/fuzz/targets root/corpus/heap_fuzzer root/build/afl/bin fake-bin
  touch root/CMakeLists.txt
  printf 'max_len_1="\\x01"\n' >root/fuzz/targets/heap_fuzzer.dict
  ops crash.ops '# allocfuzz ops v1' 'malloc s0 24' 'free s0'
  "$AF" encode crash.ops -o root/corpus/heap_fuzzer/one
  printf '#!/bin/sh\nexit 0\n' >root/build/afl/bin/kr_fuzzer
  cat >fake-bin/afl-fuzz <<'STANDIN'
#!/usr/bin/env bash
set -eu
trap '' TERM
args=("$@") in="" out="" name=default
while [[ $# -gt 0 ]]; do
  case $1 in
    -i) in=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -M | -S) name=$2; shift 2 ;;
    *) shift ;;
  esac
done
printf '%s\n' "${args[@]}" >"$FAKE_SCRATCH/args.$name"
env | grep -E '^ALLOCFUZZ_' | sort >"$FAKE_SCRATCH/env.$name"
mkdir -p "$out/$name/queue" "$out/$name/crashes" "$out/$name/hangs"
cp "$in"/* "$out/$name/queue/"
cp "$in/one" "$out/$name/crashes/id:000000,sig:06,src:000000,time:1,execs:1,op:havoc,rep:2"
printf 'execs_done        : 10\ncorpus_count      : 1\nsaved_crashes     : 1\nsaved_hangs       : 0\nedges_found       : 1\ntotal_edges       : 10\n' \
  >"$out/$name/fuzzer_stats"
STANDIN
  chmod +x root/build/afl/bin/kr_fuzzer fake-bin/afl-fuzz
  FAKE_SCRATCH=$PWD PATH="$PWD/fake-bin:$PATH" run "$AF" --root=root run --engine=afl kr_fuzzer 1
  # The "crash" is a correct program: kr passes it under replay, and the summary says so.
  expect_status 1
  local first=default
  [[ -f args.main ]] && first=main
  head -4 "args.$first" >head.txt
  printf '%s\n' -i work/kr_fuzzer/corpus -o work/kr_fuzzer/afl >expected.txt
  diff -u expected.txt head.txt >&2 || fail "afl-fuzz's corpus and output are not kr_fuzzer's"
  grep -qx "fuzz/targets/heap_fuzzer.dict" "args.$first" ||
    { cat "args.$first" >&2; fail "not heap_fuzzer's dictionary"; }
  [[ $(tail -1 "args.$first") == build/afl/bin/kr_fuzzer ]] || fail "not the kr_fuzzer binary"
  grep -qx "ALLOCFUZZ_HEAP=kr" "env.$first" || { cat "env.$first" >&2; fail "not on kr"; }
  [[ -f root/work/kr_fuzzer/corpus/one ]] || fail "the seeds were not copied into work/kr_fuzzer"
  [[ ! -e root/work/heap_fuzzer && ! -e root/artifacts/heap_fuzzer ]] ||
    fail "kr_fuzzer wrote into heap_fuzzer's directories"
  local crashes
  crashes=(root/artifacts/kr_fuzzer/afl-crash-????????????????)
  [[ ${#crashes[@]} -eq 1 && -f ${crashes[0]} ]] || { ls -R root/artifacts >&2; fail "no artifact"; }
  local artifact=artifacts/kr_fuzzer/${crashes[0]##*/}
  grep -qE "^  \(no finding under replay\) +1 +[0-9.]+ s  new +$artifact.ops$" out.txt ||
    { show; fail "no bucket row for the artifact"; }
  # Its program, for replay and minimize, is on kr.
  grep -qx "# heap: kr" "root/$artifact.ops" || { cat "root/$artifact.ops" >&2; fail "not on kr"; }
  grep -qx "    replay: .*/allocfuzz replay $artifact.ops" out.txt || { show; fail "no replay command"; }
}

cli_run_test
