#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every fuzz target into $OUT, each with its seed corpus
# (TARGET_seed_corpus.zip), dictionary (TARGET.dict) and libFuzzer options (TARGET.options).
#
# It uses the build interface only: $CC $CXX $CFLAGS $CXXFLAGS carry all instrumentation
# (sanitizer and coverage), $LIB_FUZZING_ENGINE is what a fuzz target links (libFuzzer or another
# engine), $SRC holds sources, $WORK is scratch, $OUT receives the results. Nothing is written
# into the source tree. Locally: ci/cflite_test.sh runs it with OSS-Fuzz-like values.
set -euo pipefail

# The repository: this script's parent when run as .clusterfuzzlite/build.sh from a checkout,
# else the working directory (the Dockerfile copies the script to $SRC and sets WORKDIR).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "$(basename "$here")" == .clusterfuzzlite ]]; then
  root="$(dirname "$here")"
else
  root="$PWD"
fi
if [[ ! -f "$root/fuzz/targets/heap_fuzzer.cc" ]]; then
  echo "build.sh: $root is not the allocfuzz repository" >&2
  exit 1
fi
: "${CC:?} ${CXX:?} ${CFLAGS?} ${CXXFLAGS?} ${LIB_FUZZING_ENGINE:?} ${WORK:?} ${OUT:?}"
jobs="$(nproc)"
mkdir -p "$OUT"

cmake_args=()
# Abseil: OSS-Fuzz compiles C++ against its own libc++ (-stdlib=libc++ in CXXFLAGS), so a
# distribution's libabsl (libstdc++) would not link; the Dockerfile clones Abseil into $SRC and it
# is built here, statically, with the same compiler and flags (optimization from $CFLAGS, as
# below; C++20 like the project, which fixes Abseil's ABI options). Without that clone (a local
# run with the distribution's clang and libstdc++) the installed libabsl-dev is used.
if [[ -d "${SRC:-}/abseil-cpp" ]]; then
  cmake -S "$SRC/abseil-cpp" -B "$WORK/abseil-build" -G Ninja \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-DNDEBUG -DCMAKE_CXX_FLAGS_RELEASE=-DNDEBUG \
    -DCMAKE_CXX_STANDARD=20 -DABSL_PROPAGATE_CXX_STD=ON \
    -DABSL_BUILD_TESTING=OFF -DCMAKE_INSTALL_PREFIX="$WORK/abseil"
  cmake --build "$WORK/abseil-build" -j "$jobs"
  cmake --install "$WORK/abseil-build"
  cmake_args+=(-DCMAKE_PREFIX_PATH="$WORK/abseil")
fi

# Compilers and flags are passed explicitly so that a reused $WORK picks up the current ones.
# The build type adds no -O/-g/-DNDEBUG: optimization and debug info are the engine's choice (a
# coverage build needs its own), and the harness keeps its asserts as in the fuzz preset.
# ALLOCFUZZ_DEFECTS=OFF: the historical defect switches are only ever turned on by
# ALLOCFUZZ_DEFECT in the environment (the detection gate), never by an input, so here they would
# be dead branches; without them the allocator is compiled exactly as it ships (release preset).
# Expensive checks are off as in the fuzz preset: the amortized checks keep inputs fast.
build="$WORK/allocfuzz-build"
cmake -S "$root" -B "$build" -G Ninja "${cmake_args[@]}" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO=-D_GLIBCXX_ASSERTIONS \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-D_GLIBCXX_ASSERTIONS \
  -DALLOCFUZZ_FUZZ=ON -DALLOCFUZZ_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DALLOCFUZZ_SANITIZE= -DALLOCFUZZ_SANITIZE_ALLOCATOR= \
  -DALLOCFUZZ_DEFECTS=OFF -DALLOCFUZZ_EXPENSIVE_CHECKS=OFF -DALLOCFUZZ_WERROR=OFF \
  -DALLOCFUZZ_BENCH=OFF -DBUILD_TESTING=OFF
# Only the fuzz targets (the allocfuzz_fuzz_targets target depends on each), not the CLI.
cmake --build "$build" --target allocfuzz_fuzz_targets -j "$jobs"

# The build lists its fuzz targets in fuzz_targets.txt, a line "NAME INPUTS_OF" each: the rows of
# the target table (fuzz/targets/target_contract.h) and a NAME_fuzzer per plugin allocator.
# INPUTS_OF is the target whose seeds (corpus/INPUTS_OF), dictionary and libFuzzer options
# (fuzz/targets/INPUTS_OF.dict, .options) a target uses, as `allocfuzz run` does: diff_fuzzer and
# every NAME_fuzzer read heap_fuzzer's binary programs.
targets=()
while read -r target inputs_of; do
  [[ -n "$target" ]] || continue
  targets+=("$target")
  cp "$build/bin/$target" "$OUT/"

  rm -f "$OUT/${target}_seed_corpus.zip"
  zip -q -X -j "$OUT/${target}_seed_corpus.zip" "$root/corpus/$inputs_of"/*

  for kind in dict options; do
    if [[ -f "$root/fuzz/targets/$inputs_of.$kind" ]]; then
      cp "$root/fuzz/targets/$inputs_of.$kind" "$OUT/$target.$kind"
    fi
  done
  # A target whose inputs have no options file (ops_text_fuzzer's .ops text) gets libFuzzer's
  # default.
  if [[ ! -f "$OUT/$target.options" ]]; then
    printf '%s\n' '[libfuzzer]' '# libFuzzer'"'"'s default for a small corpus, for every engine.' \
      'max_len = 4096' >"$OUT/$target.options"
  fi
done <"$build/fuzz_targets.txt"
echo "build.sh: ${#targets[@]} fuzz targets in $OUT: ${targets[*]}"
