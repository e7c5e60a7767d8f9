#!/usr/bin/env bash
# Tests of ci/oracle_mutants.py that build nothing: each test_NAME is ctest oracle_mutants.NAME.
# (The mutants themselves run in ci/test.sh: each needs a rebuild of the catalogue's test.)
# Usage: oracle_mutants_test.sh NAME REPO_ROOT
set -euo pipefail
name=$1
repo=$2
script="$repo/ci/oracle_mutants.py"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

# The table follows the code: every mutant's text occurs exactly once in its file, so an edit of
# an oracle that moves one of them fails here, at once, not only in ci/test.sh.
test_table_follows_the_code() {
  python3 "$script" --root "$repo" --list >"$tree/out"
  grep -q '^overlap-below  *fuzz/oracle/shadow.cc  *one shared byte with the block below' "$tree/out"
  [[ $(wc -l <"$tree/out") -ge 19 ]] || { echo "fewer than 19 mutants" >&2; exit 1; }
}

test_a_stale_row_is_bad_input() {
  mkdir -p "$tree/fuzz/oracle"
  printf '// nothing the table looks for\n' >"$tree/fuzz/oracle/shadow.cc"
  status=0
  python3 "$script" --root "$tree" --list overlap-below >/dev/null 2>"$tree/err" || status=$?
  [[ $status -eq 2 ]] || { echo "exit status $status, expected 2" >&2; exit 1; }
  grep -q "fuzz/oracle/shadow.cc: mutant 'overlap-below': its text occurs 0 times, not once" "$tree/err"
}

test_an_unknown_mutant_is_bad_input() {
  status=0
  python3 "$script" --root "$repo" --list no-such-mutant >/dev/null 2>"$tree/err" || status=$?
  [[ $status -eq 2 ]] || { echo "exit status $status, expected 2" >&2; exit 1; }
  grep -q "unknown mutant 'no-such-mutant'" "$tree/err"
}

test_an_unconfigured_build_directory_is_bad_input() {
  status=0
  python3 "$script" --root "$repo" --build-dir "$tree/none" overlap-below >/dev/null 2>"$tree/err" \
    || status=$?
  [[ $status -eq 2 ]] || { echo "exit status $status, expected 2" >&2; exit 1; }
  grep -q "not a configured build directory" "$tree/err"
}

"test_$name"
