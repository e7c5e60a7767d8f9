#!/usr/bin/env bash
# Tests of ci/check_layers.py on small trees made here: each test_NAME is ctest layers.NAME.
# Usage: check_layers_test.sh NAME REPO_ROOT
set -euo pipefail
name=$1
repo=$2
check="$repo/ci/check_layers.py"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

# A tree with the repository's own layer table and one file in each of two layers.
make_tree() {
  mkdir -p "$tree/docs" "$tree/allocator/region" "$tree/fuzz/harness"
  cp "$repo/docs/DESIGN.md" "$tree/docs/"
  printf '#pragma once\n#include <cstddef>\n' >"$tree/allocator/region/pseudo_brk.h"
  printf '#pragma once\n#include "allocator/region/pseudo_brk.h"\n' >"$tree/fuzz/harness/executor.h"
}

expect_output() {
  local want=$1 got=$2
  if [[ "$got" != "$want" ]]; then
    printf 'expected:\n%s\ngot:\n%s\n' "$want" "$got" >&2
    exit 1
  fi
}

test_repository_respects_the_order() {
  python3 "$check" --root "$repo"
}

test_include_of_a_layer_above_passes() {
  make_tree
  python3 "$check" --root "$tree" >"$tree/out"
  expect_output "check_layers: 2 files, every include respects the layer order" "$(cat "$tree/out")"
}

test_include_of_a_layer_below_fails() {
  make_tree
  printf '#pragma once\n\n#include "fuzz/harness/executor.h"\n' >>"$tree/allocator/region/pseudo_brk.h"
  status=0
  python3 "$check" --root "$tree" >"$tree/out" 2>"$tree/err" || status=$?
  [[ $status -eq 1 ]] || { echo "exit status $status, expected 1" >&2; exit 1; }
  expect_output 'allocator/region/pseudo_brk.h:5: includes "fuzz/harness/executor.h": layer 8 (fuzz/harness) is below allocator/region/pseudo_brk.h'"'"'s layer 2 (allocator/region)' \
    "$(cat "$tree/out")"
  grep -q '^check_layers: 1 include(s) break the layer order' "$tree/err"
}

test_include_of_a_missing_file_fails() {
  make_tree
  printf '#include "fuzz/harness/nowhere.h"\n' >>"$tree/fuzz/harness/executor.h"
  status=0
  python3 "$check" --root "$tree" >"$tree/out" 2>/dev/null || status=$?
  [[ $status -eq 1 ]] || { echo "exit status $status, expected 1" >&2; exit 1; }
  grep -q '^fuzz/harness/executor.h:3: includes "fuzz/harness/nowhere.h", which is not a file of the tree' "$tree/out"
}

test_missing_table_is_bad_input() {
  make_tree
  printf '# no table\n' >"$tree/docs/DESIGN.md"
  status=0
  python3 "$check" --root "$tree" >/dev/null 2>"$tree/err" || status=$?
  [[ $status -eq 2 ]] || { echo "exit status $status, expected 2" >&2; exit 1; }
  grep -q 'no layer-order:begin/end markers' "$tree/err"
}

"test_$name"
