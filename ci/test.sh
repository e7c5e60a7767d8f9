#!/usr/bin/env bash
# Runs every test: installs missing packages, then the dev workflow (Debug, ASan+UBSan: configure,
# build, ctest) and the fuzz workflow (configure and build, so the libFuzzer build cannot rot).
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

trap - ERR
echo "ci/test.sh: PASSED (dev: built and tested with ASan+UBSan; fuzz: built)"
