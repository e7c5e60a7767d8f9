#!/usr/bin/env bash
# ClusterFuzzLite build test: runs .clusterfuzzlite/build.sh as OSS-Fuzz would (libFuzzer + ASan,
# the flags in $CFLAGS/$CXXFLAGS, the engine in $LIB_FUZZING_ENGINE, a scratch $WORK and $OUT),
# checks that every fuzz target arrived in $OUT with its seed corpus, dictionary and options, and
# runs each for 300 inputs from its seeds with them, as ClusterFuzz would. Fails on any crash.
#
#   ci/cflite_test.sh [OUTDIR]    OUTDIR keeps $OUT (default: a temporary directory, removed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
out="${1:-$scratch/out}"
mkdir -p "$out" "$scratch/work"

# OSS-Fuzz's address-sanitizer flags for libFuzzer, minus its -stdlib=libc++: locally the
# distribution's clang links the installed libabsl-dev, which is built against libstdc++.
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
flags+=" -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
start=$SECONDS
echo "ci/cflite_test.sh: build.sh into $out"
(
  cd "$root"
  env CC=clang CXX=clang++ CFLAGS="$flags" CXXFLAGS="$flags" \
    LIB_FUZZING_ENGINE=-fsanitize=fuzzer FUZZING_ENGINE=libfuzzer SANITIZER=address \
    ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c++ \
    SRC="$root" WORK="$scratch/work" OUT="$out" bash .clusterfuzzlite/build.sh
) >"$scratch/build.log" 2>&1 || {
  tail -n 60 "$scratch/build.log" >&2
  echo "ci/cflite_test.sh: build.sh failed" >&2
  exit 1
}
echo "ci/cflite_test.sh: built in $((SECONDS - start)) s"

# The fuzz targets the build must ship: every line of its fuzz_targets.txt, the rows of the target
# table (fuzz/targets/target_contract.h) and a NAME_fuzzer per plugin allocator (plugins/).
expected=()
while read -r target _; do
  [[ -n "$target" ]] && expected+=("$target")
done <"$scratch/work/allocfuzz-build/fuzz_targets.txt"
if [[ ${#expected[@]} -eq 0 ]]; then
  echo "ci/cflite_test.sh: the build lists no fuzz targets (fuzz_targets.txt)" >&2
  exit 1
fi

status=0
for target in "${expected[@]}"; do
  for file in "$target" "${target}_seed_corpus.zip" "$target.dict" "$target.options"; do
    if [[ ! -s "$out/$file" ]]; then
      echo "ci/cflite_test.sh: $out/$file is missing or empty" >&2
      status=1
    fi
  done
done
[[ $status -eq 0 ]] || exit 1

# Each target on its unzipped seeds, with its dictionary and the [libfuzzer] options as flags.
for target in "${expected[@]}"; do
  dir="$scratch/run/$target"
  mkdir -p "$dir/corpus"
  unzip -q "$out/${target}_seed_corpus.zip" -d "$dir/corpus"
  mapfile -t options < <(awk -F= '
    /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
    section == "libfuzzer" && NF >= 2 && $1 !~ /^[[:space:]]*[#;]/ {
      key = $1; value = substr($0, index($0, "=") + 1)
      gsub(/^[[:space:]]+|[[:space:]]+$/, "", key); gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
      print "-" key "=" value
    }' "$out/$target.options")
  # -seed fixes the inputs; -artifact_prefix keeps any crash file out of the working directory.
  if "$out/$target" -runs=300 -seed=1 -max_total_time=60 -dict="$out/$target.dict" \
    "${options[@]}" -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1; then
    echo "ci/cflite_test.sh: $target: $(grep -m1 '^Done' "$dir/log" || echo 'done')"
  else
    tail -n 40 "$dir/log" >&2
    echo "ci/cflite_test.sh: $target failed (log above, input in $dir)" >&2
    rm -rf "$scratch/work"  # keep the run, not the build
    trap - EXIT
    exit 1
  fi
done
echo "ci/cflite_test.sh: PASSED (${#expected[@]} targets built and run) in $((SECONDS - start)) s"
