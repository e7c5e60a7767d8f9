#!/usr/bin/env python3
"""Checks the dependency rule of docs/DESIGN.md section 2: a source file may include only files
of its own layer and of the layers above it (lower numbers in the table between the
layer-order markers). Prints every offending include as FILE:LINE and exits 1; exits 2 when the
table cannot be read. Only quoted includes are checked ("..."), written from the repository
root as everywhere in the tree; <...> includes are the system's.

Usage: ci/check_layers.py [--root DIR]   (default: the repository holding this script)
"""
import argparse
import pathlib
import re
import sys

SOURCE_SUFFIXES = {".h", ".cc", ".c"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
ROW = re.compile(r"^\|\s*(\d+)\s*\|[^|]*\|(.*)\|\s*$")


def read_layers(design: pathlib.Path):
    """Returns [(folder, rank)], longest folder first, from the table between the markers."""
    text = design.read_text(encoding="utf-8").splitlines()
    try:
        begin = text.index("<!-- layer-order:begin -->")
        end = text.index("<!-- layer-order:end -->")
    except ValueError:
        print(f"{design}: no layer-order:begin/end markers around the layer table", file=sys.stderr)
        sys.exit(2)
    layers = []
    for number, line in enumerate(text[begin + 1:end], start=begin + 2):
        match = ROW.match(line)
        if not match:
            continue
        folders = re.findall(r"`([^`]+)`", match.group(2))
        if not folders:
            print(f"{design}:{number}: layer row names no folder", file=sys.stderr)
            sys.exit(2)
        layers += [(folder.rstrip("/"), int(match.group(1))) for folder in folders]
    if not layers:
        print(f"{design}:{begin + 1}: the layer table has no rows", file=sys.stderr)
        sys.exit(2)
    layers.sort(key=lambda entry: -len(entry[0]))
    return layers


def layer_of(path: str, layers):
    for folder, rank in layers:
        if path == folder or path.startswith(folder + "/"):
            return folder, rank
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    root = args.root.resolve()
    design = root / "docs" / "DESIGN.md"
    if not design.is_file():
        print(f"{design}: missing (the layer table lives there)", file=sys.stderr)
        return 2
    layers = read_layers(design)
    folders = sorted({folder for folder, _ in layers})

    problems = []
    files = sorted(p for folder in folders if (root / folder).is_dir()
                   for p in (root / folder).rglob("*") if p.suffix in SOURCE_SUFFIXES)
    for path in files:
        rel = path.relative_to(root).as_posix()
        own_folder, own_rank = layer_of(rel, layers)
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            if not (root / target).is_file():
                problems.append(f"{rel}:{number}: includes \"{target}\", which is not a file "
                                "of the tree (includes are written from the repository root)")
                continue
            found = layer_of(target, layers)
            if found is None:
                problems.append(f"{rel}:{number}: includes \"{target}\", which is in no layer "
                                "of docs/DESIGN.md section 2")
                continue
            folder, rank = found
            if rank > own_rank:
                problems.append(f"{rel}:{number}: includes \"{target}\": layer {rank} "
                                f"({folder}) is below {rel}'s layer {own_rank} ({own_folder})")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} include(s) break the layer order of "
              "docs/DESIGN.md section 2", file=sys.stderr)
        return 1
    print(f"check_layers: {len(files)} files, every include respects the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
