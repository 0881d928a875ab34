"""Build the small data files in ``data/`` from their upstream packages.

    python build_data.py --opencc-dict DIR --pycorrector-wheel FILE

* ``t2s_chars.tsv`` — traditional→simplified single characters, first
  candidate of OpenCC's ``TSCharacters.txt`` (OpenCC, Apache-2.0; the copy
  inside the ``opencc-python-reimplemented`` package is the same file).
* ``confusion.tsv`` — character confusion sets, one character and its
  candidates per line, tagged ``p`` (same pinyin) or ``s`` (similar shape),
  from ``pycorrector/data/same_pinyin.txt`` and ``same_stroke.txt`` of the
  pycorrector 1.1.4 wheel (Apache-2.0), read straight from the wheel.

Nothing here reads the evaluation data.
"""
from __future__ import annotations

import argparse
import os
import zipfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")


def build_t2s(opencc_dict_dir: str, out_path: str) -> int:
    """Write ``trad<TAB>simp`` for every single-character entry; return the count."""
    n = 0
    src = os.path.join(opencc_dict_dir, "TSCharacters.txt")
    with open(src, encoding="utf-8") as f, open(out_path, "w", encoding="utf-8") as out:
        for line in f:
            trad, _, simp = line.rstrip("\n").partition("\t")
            simp = simp.split(" ")[0] if simp else ""
            if len(trad) == 1 and len(simp) == 1 and trad != simp:
                out.write(f"{trad}\t{simp}\n")
                n += 1
    return n


def read_wheel_text(wheel: str, member: str) -> list[str]:
    """Lines of one text file inside a wheel, without unpacking it."""
    with zipfile.ZipFile(wheel) as z:
        return z.read(member).decode("utf-8").splitlines()


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


def build_confusion(wheel: str, out_path: str) -> int:
    """Write ``char<TAB>p|s<TAB>candidates`` lines; return the number of lines."""
    base = "pycorrector/data/"
    pinyin = parse_same_pinyin(read_wheel_text(wheel, base + "same_pinyin.txt"))
    stroke = parse_same_stroke(read_wheel_text(wheel, base + "same_stroke.txt"))
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for tag, table in (("p", pinyin), ("s", stroke)):
            for ch in sorted(table):
                if table[ch]:
                    out.write(f"{ch}\t{tag}\t{''.join(sorted(table[ch]))}\n")
                    n += 1
    return n


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--opencc-dict", required=True, help="folder holding OpenCC's TSCharacters.txt")
    ap.add_argument("--pycorrector-wheel", required=True, help="pycorrector-1.1.4-py3-none-any.whl")
    args = ap.parse_args(argv)
    os.makedirs(DATA, exist_ok=True)
    n1 = build_t2s(args.opencc_dict, os.path.join(DATA, "t2s_chars.tsv"))
    n2 = build_confusion(args.pycorrector_wheel, os.path.join(DATA, "confusion.tsv"))
    print(f"t2s_chars.tsv: {n1} entries; confusion.tsv: {n2} lines")


if __name__ == "__main__":
    main()
