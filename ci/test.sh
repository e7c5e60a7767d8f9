#!/usr/bin/env bash
# Runs every test: installs missing packages, then the dev workflow (Debug, ASan+UBSan: configure,
# build, ctest), the fuzz workflow (configure and build, so the libFuzzer build cannot rot) and
# the detection gate (ci/gate.sh: the fuzzer must find each historical defect from an empty
# corpus; a few seconds when all is well, at most 8 x 3 runs x 60 s / nproc when it is not).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step="deps"
trap 'echo "ci/test.sh: FAILED in step: ${step}" >&2' ERR

bash ci/deps.sh

step="format (clang-format --dry-run against .clang-format)"
echo "ci/test.sh: ${step}"
git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run --Werror

step="dev workflow (configure, build, test)"
echo "ci/test.sh: ${step}"
cmake --workflow --preset dev

step="fuzz workflow (configure, build)"
echo "ci/test.sh: ${step}"
cmake --workflow --preset fuzz

step="detection gate (ci/gate.sh: every defect found from an empty corpus, 3 seeds, 60 s each)"
echo "ci/test.sh: ${step}"
bash ci/gate.sh

trap - ERR
echo "ci/test.sh: PASSED (dev: built and tested with ASan+UBSan; fuzz: built; gate: every defect found)"
