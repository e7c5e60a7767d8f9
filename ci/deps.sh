#!/usr/bin/env bash
# Installs the Debian packages that building and testing allocfuzz needs, and only those that are
# missing. Idempotent: with everything present it prints one line and touches nothing. Runs
# unattended (CI has no stdin); uses sudo only when not root.
set -euo pipefail

packages=(
  cmake               # >= 3.25 for workflow presets (Debian 12: 3.25.1)
  ninja-build
  clang               # clang/clang++ (14 on Debian 12)
  libclang-rt-14-dev  # ASan/UBSan runtimes and libFuzzer for clang 14
  llvm                # llvm-symbolizer (sanitizer reports with file:line), llvm-profdata and
                      # llvm-cov (allocfuzz coverage)
  libabsl-dev         # Abseil 20220623 headers and CMake config
  googletest
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  clang-format
  python3
  afl++               # AFL++ 4.04c: afl-clang-fast++, afl-fuzz (afl preset, run --engine=afl)
  zip                 # .clusterfuzzlite/build.sh packs TARGET_seed_corpus.zip
  unzip               # ci/cflite_test.sh unpacks them
  libmimalloc-dev     # mimalloc 2.0.9, the `mimalloc` heap (loaded RTLD_LOCAL, fuzz/heaps/mimalloc_heap.h)
  libjemalloc-dev     # jemalloc 5.3.0, the `jemalloc` heap (linked, fuzz/heaps/jemalloc_heap.h)
  libgoogle-perftools-dev  # gperftools 2.10's tcmalloc_minimal, the `tcmalloc` heap (RTLD_LOCAL)
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ci/deps.sh: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
echo "ci/deps.sh: installing ${missing[*]}"
apt_opts=(-q -o DPkg::Lock::Timeout=300)
"${sudo[@]}" apt-get "${apt_opts[@]}" update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null
echo "ci/deps.sh: installed ${missing[*]}"
