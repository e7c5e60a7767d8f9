#!/usr/bin/env bash
# Tests of the command line's verb table (repro/cli/verb_table.h): the usage text, the operand
# counts and the flags each verb takes, and repro/README.md against the table. Each
# `test_NAME()` below is the ctest test cli.NAME (repro/CMakeLists.txt finds them).
#
# usage: cli_verbs_test.sh NAME ALLOCFUZZ ALLOCFUZZ_TESTHEAPS SCRATCH_DIR  (as cli_test.sh)
# shellcheck source=repro/tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# `allocfuzz ARGS` exits 2 with exactly "allocfuzz: MESSAGE" and the pointer to the usage on
# stderr, and nothing on stdout.
expect_usage_error() {
  local message=$1
  shift
  run "$AF" "$@"
  [[ $status == 2 ]] || { show; fail "'allocfuzz $*' exited $status, expected 2"; }
  printf 'allocfuzz: %s\n(allocfuzz help for usage)\n' "$message" >expected.txt
  diff -u expected.txt err.txt >&2 || fail "'allocfuzz $*': stderr is not: allocfuzz: $message"
  [[ ! -s out.txt ]] || { show; fail "'allocfuzz $*' printed on stdout"; }
}

# The verbs of the usage text: the lines of its "verbs:" section that start with a name.
# The help text goes to a file first: awk stops reading at the verbs' end, and under pipefail
# a help text longer than the pipe's buffer would die of SIGPIPE and fail the pipeline.
usage_verbs() {
  "$AF" help >usage_verbs.txt
  awk '/^verbs:$/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' usage_verbs.txt
}

# Prints each verb of the usage text that README ($1) has no row for in its verb table (the
# table under "| verb | what it does |"; a row's first cell is "`VERB ...`", or several such
# joined by " / "); fails when there is one.
readme_lacks() {
  local readme=$1 verb missing=0
  awk -F'|' '/^\| verb \| what it does \|$/ { on = 1; next } on && !/^\|/ { exit }
    on && $2 !~ /^-+$/ { print $2 }' "$readme" >first_cells.txt
  while read -r verb; do
    if ! grep -qE "(^| )\`$verb[ \`]" first_cells.txt; then
      echo "$verb"
      missing=1
    fi
  done < <(usage_verbs)
  return $missing
}

test_readme_has_a_row_for_every_verb() {
  usage_verbs >verbs.txt
  # The table has at least the verbs of today; a parse that finds none would prove nothing.
  for verb in list replay check minimize fmt encode run gate cmin coverage footprint help; do
    grep -qx "$verb" verbs.txt || { cat verbs.txt >&2; fail "the usage text lacks $verb"; }
  done
  readme_lacks "$repo/repro/README.md" >missing.txt ||
    fail "repro/README.md has no row for: $(tr '\n' ' ' <missing.txt)"
  # The check does fail: the README without its run row lacks run.
  grep -v '^| `run ' "$repo/repro/README.md" >README.md
  if readme_lacks README.md >missing.txt; then fail "a README without run passed"; fi
  [[ $(cat missing.txt) == run ]] || { cat missing.txt >&2; fail "not just run is missing"; }
}

test_usage_lists_each_verb_with_its_synopsis_and_flags() {
  run "$AF" help
  [[ $status == 0 ]] || { show; fail "help exited $status"; }
  grep -qx 'usage: allocfuzz \[FLAGS\] VERB OPERANDS\.\.\.  (flags may also follow the verb)' \
    out.txt || { show; fail "no usage line"; }
  grep -qE '^  run TARGET \[SECONDS\] \[-- LIBFUZZER_ARGS\.\.\.\]$' out.txt || { show; fail "run"; }
  grep -qE '^  replay FILE\.\.\. +run programs with every check' out.txt || { show; fail "replay"; }
  # Each flag with the verbs that take it, from the table.
  grep -qF -- 'the fuzzing engine (default libfuzzer) [run and gate]' out.txt ||
    { show; fail "--engine's verbs"; }
  tr -s ' \n' ' ' <out.txt | grep -qF -- '-o OUT output file' || { show; fail "no -o"; }
  tr -s ' \n' ' ' <out.txt | grep -qF -- '[minimize, encode and cmin]' || { show; fail "-o's verbs"; }
  # No verb: the same text on stdout, after the error on stderr.
  run "$AF"
  [[ $status == 2 ]] || fail "no verb exited $status"
  [[ $(cat err.txt) == $'allocfuzz: no verb given\n(allocfuzz help for usage)' ]] ||
    { show; fail "no verb"; }
  "$AF" --help >help.txt
  "$AF" help >again.txt
  cmp help.txt again.txt || fail "--help and help differ"
}

test_help_verb_prints_one_verb() {
  run "$AF" help run
  [[ $status == 0 ]] || { show; fail "help run exited $status"; }
  [[ $(head -n 1 out.txt) == 'usage: allocfuzz [FLAGS] run TARGET [SECONDS] [-- LIBFUZZER_ARGS...]' ]] ||
    { show; fail "help run's first line"; }
  grep -q -- '^  --engine=libfuzzer|afl' out.txt || { show; fail "help run lacks --engine"; }
  grep -q -- '--random' out.txt && { show; fail "help run shows --random"; }
  run "$AF" help list
  grep -q -- '^  --profiles' out.txt || { show; fail "help list lacks --profiles"; }
  grep -q -- '--heap' out.txt && { show; fail "help list shows --heap"; }
  expect_usage_error "help: unknown verb 'nope'" help nope
}

test_operand_counts_come_from_the_table() {
  : >a.ops
  expect_usage_error "list takes no operands" list extra
  expect_usage_error "replay takes FILE..." replay
  expect_usage_error "check takes FILE..." check
  expect_usage_error "fmt takes FILE" fmt a.ops a.ops
  expect_usage_error "minimize takes FILE [-o OUT]" minimize
  expect_usage_error "encode takes FILE [-o OUT]" encode a.ops a.ops
  expect_usage_error "run takes TARGET [SECONDS]" run
  expect_usage_error "run takes TARGET [SECONDS]" run heap_fuzzer 1 2
  expect_usage_error "cmin takes TARGET [DIR...] [-o OUT]" cmin
  expect_usage_error "coverage takes TARGET [DIR...]" coverage
  expect_usage_error "footprint takes FILE | --random N [--seed S]" footprint a.ops a.ops
  expect_usage_error "help takes [VERB]" help run list
  # After `--` a verb other than run takes operands: two files for fmt.
  expect_usage_error "fmt takes FILE" fmt a.ops -- a.ops
  expect_usage_error "unknown verb 'frobnicate'" frobnicate a.ops
}

test_a_flag_goes_only_with_the_verbs_that_take_it() {
  : >a.ops
  expect_usage_error "--root goes with run, gate, cmin and coverage only" --root=. replay a.ops
  expect_usage_error "-o goes with minimize, encode and cmin only" fmt a.ops -o x.ops
  expect_usage_error "--engine goes with run and gate only" --engine=afl list
  expect_usage_error "--random goes with footprint only" replay --random 10 a.ops
  expect_usage_error "--seed goes with footprint only" check --seed=1 a.ops
  expect_usage_error "--heap goes with replay, check, minimize, fmt, encode, run, gate, cmin and coverage only" \
    --heap=kr footprint a.ops
  expect_usage_error "--region goes with replay, check, minimize, fmt and encode only" \
    --region=low run heap_fuzzer 1
  expect_usage_error "--timeout goes with replay, check, minimize, run, gate, cmin and coverage only" \
    --timeout=5 list
  # The first flag the verb does not take, in the order given.
  expect_usage_error "--seed goes with footprint only" --seed=2 --root=. list
  # A flag's value is checked before the verb: a bad --region is a bad --region anywhere.
  expect_usage_error "--region must be high or low, not 'middle'" --region=middle list
}
# `list --profiles`: a column per heap in the registry's order, a row per capability and per
# profile field; a choice about a capability the heap lacks reads "-".
test_list_profiles_prints_each_heaps_declaration_side_by_side() {
  run "$AF" list --profiles
  [[ $status == 0 ]] || { show; fail "list --profiles exited $status"; }
  read -r -a header < <(sed -n 2p out.txt)
  [[ ${header[0]} == free-array && ${header[1]} == glibc ]] || { show; fail "the heap columns"; }
  local row
  row=$(grep '^region ' out.txt) || { show; fail "no region row"; }
  read -r -a cells <<<"$row"
  [[ ${cells[1]} == yes && ${cells[2]} == - ]] || { show; fail "region: free-array yes, glibc -"; }
  grep -q '^malloc(0) ' out.txt || { show; fail "no malloc(0) row"; }
  grep -q '^errno of a refusal  *ENOMEM ' out.txt || { show; fail "no ENOMEM refusal row"; }
  run "$AF" list --profiles
  cp out.txt again.txt
  run "$AF" list --profiles
  diff -u again.txt out.txt >&2 || fail "list --profiles differs between runs"
}

cli_run_test
