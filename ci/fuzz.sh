#!/usr/bin/env bash
# The main job: installs what is missing, builds the `fuzz` preset (clang, libFuzzer, ASan),
# and fuzzes TARGET (default heap_fuzzer) for SECONDS (default 60) on every core, starting from
# a copy of corpus/TARGET. Prints a summary and, for each crash, its minimized .ops repro and
# the command that replays it. Exit status: 0 no crash, 1 crash found, 2 usage.
#   ci/fuzz.sh [TARGET] [SECONDS] [-- libFuzzer args...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target="${1:-heap_fuzzer}"
seconds="${2:-60}"
shift $(( $# < 2 ? $# : 2 ))

bash ci/deps.sh
cmake --workflow --preset fuzz
exec build/fuzz/bin/allocfuzz run "$target" "$seconds" "$@"
