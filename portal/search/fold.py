"""Text folding shared by indexing and querying: width, case, traditional→simplified.

Both sides of the search go through :func:`fold`, so a lossy mapping (乾 → 干) is
harmless: it only has to be the same mapping on both sides.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
T2S_FILE = os.path.join(DATA_DIR, "t2s_chars.tsv")

# A CJK ideograph (basic block + extension A + compatibility ideographs).
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Runs the tokenizers care about: CJK runs, latin letters, digits.
RUN_RE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([a-z]+)|([0-9]+)")


def is_cjk(ch: str) -> bool:
    """True for a single CJK ideograph."""
    return bool(CJK_RE.match(ch))


@lru_cache(maxsize=1)
def t2s_table() -> dict[int, str]:
    """Traditional → simplified character table for ``str.translate``.

    Built by ``build_data.py`` from OpenCC's TSCharacters.txt (Apache-2.0),
    first candidate of every entry.  Missing file → empty table (no folding).
    """
    table: dict[int, str] = {}
    try:
        with open(T2S_FILE, encoding="utf-8") as f:
            for line in f:
                src, _, dst = line.rstrip("\n").partition("\t")
                if len(src) == 1 and dst:
                    table[ord(src)] = dst
    except FileNotFoundError:
        pass
    return table


def fold(text: str) -> str:
    """Fold full-width forms to ASCII, lower-case, traditional to simplified.

    NFKC does the width folding (ＡＢＣ１２３ → abc123, full-width punctuation
    → ASCII); ideographic punctuation (，。、) is left alone and later treated
    as a separator by the tokenizers.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    return text.translate(t2s_table())


def runs(text: str):
    """Yield ``(kind, run, start)`` for the CJK / latin / digit runs of folded text.

    ``kind`` is ``"cjk"``, ``"latin"`` or ``"digit"``; everything else
    (spaces, punctuation) separates runs.
    """
    for m in RUN_RE.finditer(text):
        kind = "cjk" if m.group(1) else ("latin" if m.group(2) else "digit")
        yield kind, m.group(0), m.start()
