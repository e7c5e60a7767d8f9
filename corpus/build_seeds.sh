#!/usr/bin/env bash
# The heap_fuzzer seeds are the readable regression cases: every repro/cases/*.ops that
# expects `ok` and names no defect is encoded (`allocfuzz encode`) into corpus/heap_fuzzer/NAME.
# So each binary seed has its .ops twin, and a new ok case becomes a seed by running this.
#   corpus/build_seeds.sh [--check] [ALLOCFUZZ]
# --check: encode into a temporary folder and fail if corpus/heap_fuzzer differs (ctest runs
# this, so the committed seeds cannot drift from their twins).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

check=0
if [[ "${1:-}" == "--check" ]]; then
  check=1
  shift
fi
allocfuzz="${1:-$root/build/dev/bin/allocfuzz}"
[[ -x "$allocfuzz" ]] || { echo "build_seeds.sh: no allocfuzz at $allocfuzz (build a preset first)" >&2; exit 2; }

out="$root/corpus/heap_fuzzer"
if [[ $check == 1 ]]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
else
  rm -rf "$out"
  mkdir -p "$out"
fi

for ops in "$root"/repro/cases/*.ops; do
  grep -q '^# expect: ok' "$ops" || continue
  grep -q '^# defect:' "$ops" && continue
  # (encode notes that expect/heap/defect stay in text: true, and known here)
  "$allocfuzz" encode "$ops" -o "$out/$(basename "$ops" .ops)" 2> >(grep -v "^allocfuzz: note:" >&2)
done

if [[ $check == 1 ]]; then
  if ! diff -r "$out" "$root/corpus/heap_fuzzer" >/dev/null 2>&1; then
    echo "build_seeds.sh: corpus/heap_fuzzer is out of date with repro/cases; run corpus/build_seeds.sh" >&2
    diff -r "$out" "$root/corpus/heap_fuzzer" >&2 || true
    exit 1
  fi
  echo "build_seeds.sh: corpus/heap_fuzzer matches repro/cases"
else
  echo "build_seeds.sh: wrote $(ls "$out" | wc -l) seeds to corpus/heap_fuzzer"
fi
