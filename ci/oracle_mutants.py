#!/usr/bin/env python3
"""Judge the judge's tests: seed one boundary bug at a time into the oracles and check that the
wrong-heap catalogue's test (tests/oracle/wrong_heap_catalogue_test.cc) fails on each.

Every row below is one mutant: a source file, an exact text that occurs once in it, its
replacement (an off-by-one in a comparison, a loop bound, a mask, a skipped check), and what the
mutant means. A mutant the catalogue's rows do not notice is an oracle edge no row sits on: the
run fails and names it. The source is changed in place and always restored (also on ^C);
the build directory is rebuilt from the restored source at the end.

Usage: ci/oracle_mutants.py [--root DIR] [--build-dir build/dev] [--list] [MUTANT...]
  --list   check the table against the source (each text occurs exactly once) and list the
           mutants, building and running nothing
Exit status: 0 every mutant caught, 1 one survived (or the unmutated tests fail), 2 bad usage
or a row whose text no longer occurs exactly once (the table must follow the code).
"""
import argparse
import pathlib
import subprocess
import sys
import time

TEST = "wrong_heap_catalogue_test"  # built alone; its rows run through ctest

# name, file, text, replacement, what the mutant gets wrong
MUTANTS = [
    ("overlap-below", "fuzz/oracle/shadow.cc",
     "if (prev_end > o) other = at - 1;", "if (prev_end > o + 1) other = at - 1;",
     "one shared byte with the block below is not an overlap"),
    ("overlap-above", "fuzz/oracle/shadow.cc",
     "order_[at].offset < end) other = at;", "order_[at].offset + 1 < end) other = at;",
     "one shared byte with the block above is not an overlap"),
    ("zero-block-no-byte", "fuzz/oracle/shadow.cc",
     "size_t bytes = n == 0 ? 1 : n;", "size_t bytes = n;",
     "a zero-byte block occupies no byte"),
    ("past-break-by-one", "fuzz/oracle/shadow.cc",
     "o > brk || requested > brk - o) {", "o > brk || requested > brk - o + 1) {",
     "a block may reach one byte past the break"),
    ("start-at-break", "fuzz/oracle/shadow.cc",
     "o > brk || requested > brk - o) {", "o > brk || (requested > brk - o && o != brk)) {",
     "a block starting exactly at the break passes"),
    ("under-break-by-one", "fuzz/oracle/shadow.cc",
     "if (top.offset <= brk && n <= brk - top.offset) return std::nullopt;",
     "if (top.offset <= brk && n <= brk - top.offset + 1) return std::nullopt;",
     "a live block may lose its last byte to a lowered break"),
    ("alignment-8", "fuzz/oracle/shadow.cc",
     "reinterpret_cast<uintptr_t>(p) % alignment != 0", "reinterpret_cast<uintptr_t>(p) % 8 != 0",
     "alignment judged against 8, not the heap's declaration"),
    ("usable-one-short", "fuzz/oracle/shadow.cc",
     "usable != SIZE_MAX && usable < requested", "usable != SIZE_MAX && usable + 1 < requested",
     "a usable size one byte short passes"),
    ("partial-word-last-byte", "fuzz/oracle/content_pattern.h",
     "for (size_t i = 0; k * 8 + i < n; ++i) {", "for (size_t i = 0; k * 8 + i + 1 < n; ++i) {",
     "the last byte of a last, partial word is not compared"),
    ("partial-word-skipped", "fuzz/oracle/content_pattern.h",
     "  if (k * 8 < n) {\n    uint64_t want = pattern_word(id, k);",
     "  if (k * 8 + 8 < n) {\n    uint64_t want = pattern_word(id, k);",
     "a last, partial word is not compared at all"),
    ("edges-tail-short", "fuzz/oracle/shadow.cc",
     "bad = first_pattern_mismatch_from(b.p, tail, n, b.id);",
     "bad = first_pattern_mismatch_from(b.p, tail, n - 1, b.id);",
     "the amortized check's tail misses a block's last byte"),
    ("calloc-last-byte", "fuzz/oracle/content_pattern.h",
     "  for (; i < n; ++i) {\n    if (bytes[i] != 0) return i;",
     "  for (; i + 1 < n; ++i) {\n    if (bytes[i] != 0) return i;",
     "calloc's last byte is not compared"),
    ("calloc-first-chunk-only", "fuzz/oracle/shadow.cc",
     "size_t bad = first_nonzero(p, requested);",
     "size_t bad = first_nonzero(p, requested < 256 ? requested : 256);",
     "calloc's memory is checked only in its first 256 bytes"),
    ("realloc-one-short", "fuzz/oracle/shadow.cc",
     "size_t bad = first_pattern_mismatch(p, keep, old.id);",
     "size_t bad = first_pattern_mismatch(p, keep > 0 ? keep - 1 : 0, old.id);",
     "realloc compares one byte fewer than it keeps"),
    ("realloc-shrink-unchecked", "fuzz/oracle/shadow.cc",
     "size_t keep = old.requested < requested ? old.requested : requested;",
     "size_t keep = old.requested < requested ? old.requested : 0;",
     "a shrinking realloc's kept bytes are not compared"),
    ("refusal-any-call", "fuzz/harness/executor.h",
     "result->refused = refusals() > refusals_before;",
     "result->refused = refusals() > 0 * refusals_before;",
     "a refusal in an earlier call excuses a NULL"),
    ("foreign-lost-access", "allocator/region/pseudo_brk.cc",
     "keep(span.offset + live);  // lost access", "(void)live;  // lost access",
     "a foreign span that loses access unchanged is not seen"),
    ("foreign-edge-last-byte", "allocator/region/pseudo_brk.cc",
     "bad = first_bad(p, live - edge_bytes, live, fill);",
     "bad = first_bad(p, live - edge_bytes, live - 1, fill);",
     "the amortized foreign check misses a span's last byte"),
    ("calloc-overflow-unjudged", "fuzz/harness/executor.cc",
     "bool overflow = is_calloc && __builtin_mul_overflow(op.args[0], op.args[1], &bytes);",
     "bool overflow = is_calloc && __builtin_mul_overflow(op.args[0], op.args[1], &bytes) && 0;",
     "a calloc whose product overflows is not judged"),
    ("end-wraps", "fuzz/oracle/shadow.cc",
     "return bytes > SIZE_MAX - o ? SIZE_MAX : o + bytes;", "return o + bytes;",
     "a block whose end wraps past the top of the address space overlaps nothing"),
]


def build(build_dir):
    r = subprocess.run(["cmake", "--build", str(build_dir), "--target", TEST],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout


def run_tests(build_dir):
    """(exit status, the catalogue's tests that fail). Through ctest, one process per test,
    so that a mutant that makes one row abort the process (the heap's own fatal check, once
    the oracle let a wrong block through) fails that row only."""
    r = subprocess.run(["ctest", "--test-dir", str(build_dir), "-R", "^Catalogue/", "-j2",
                        "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=900)
    failed = set()
    for line in r.stdout.splitlines():
        # "	 12 - Catalogue/WrongHeapRowTest.EveryOpReportsTheRowExactly/x  # GetParam() = ..."
        if " - Catalogue/" in line and ("(Failed)" in line or "(Subprocess aborted)" in line
                                        or "(SEGFAULT)" in line or "(Timeout)" in line):
            failed.add(line.split(" - ", 1)[1].split()[0])
    return r.returncode, sorted(failed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parent.parent))
    parser.add_argument("--build-dir", default="build/dev")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("mutants", nargs="*")
    args = parser.parse_args()
    root = pathlib.Path(args.root).resolve()
    build_dir = (root / args.build_dir).resolve()
    names = [m[0] for m in MUTANTS]
    for n in args.mutants:
        if n not in names:
            print(f"ci/oracle_mutants.py: unknown mutant '{n}' (known: {' '.join(names)})",
                  file=sys.stderr)
            return 2
    chosen = [m for m in MUTANTS if not args.mutants or m[0] in args.mutants]
    for name, path, old, _, _ in chosen:
        source = root / path
        count = source.read_text().count(old) if source.is_file() else 0
        if count != 1:
            print(f"ci/oracle_mutants.py: {path}: mutant '{name}': its text occurs {count} times,"
                  " not once (the table must follow the code)", file=sys.stderr)
            return 2
    if args.list:
        for name, path, _, _, what in chosen:
            print(f"{name:26} {path:32} {what}")
        return 0
    if not (build_dir / "CMakeCache.txt").exists():
        print(f"ci/oracle_mutants.py: {build_dir}: not a configured build directory "
              "(cmake --preset dev first)", file=sys.stderr)
        return 2

    ok, log = build(build_dir)
    code, failed = run_tests(build_dir) if ok else (1, [])
    if not ok or code != 0:
        print("ci/oracle_mutants.py: the unmutated catalogue test does not pass:\n" + log +
              "\n".join(failed), file=sys.stderr)
        return 1

    print(f"ci/oracle_mutants.py: {len(chosen)} mutant(s) of the oracles, each against {TEST}\n")
    print(f"{'mutant':26} {'result':9} {'failing':>7}  what the mutant gets wrong")
    survivors = []
    start = time.monotonic()
    for name, path, old, new, what in chosen:
        source = root / path
        original = source.read_text()
        try:
            source.write_text(original.replace(old, new))
            ok, log = build(build_dir)
            if not ok:
                result, count = "no-build", 0
            else:
                code, failed = run_tests(build_dir)
                result, count = ("caught", len(failed)) if code != 0 else ("SURVIVED", 0)
        finally:
            source.write_text(original)
        if result != "caught":
            survivors.append(name)
        print(f"{name:26} {result:9} {count:7}  {what}", flush=True)
    build(build_dir)  # the restored source, so the directory holds what the tree says
    print(f"\nci/oracle_mutants.py: {len(chosen)} mutant(s) in {time.monotonic() - start:.0f} s;"
          " one again: ci/oracle_mutants.py MUTANT")
    if survivors:
        print("ci/oracle_mutants.py: FAILED: survived or did not build: " + " ".join(survivors))
        return 1
    print("ci/oracle_mutants.py: PASSED: every mutant fails at least one catalogue row")
    return 0


if __name__ == "__main__":
    sys.exit(main())
