"""Ranking terms as 64-bit keys (pure): CJK character unigrams and bigrams, latin/digit tokens.

Character n-grams need no segmentation, so a query and a document that jieba would cut
differently still share terms, and a one-character typo only costs the terms it touches.
Keys are computed from code points with numpy, so a document is keyed without a Python loop
over its characters. Bigrams across a CJK run's edges use BOS/EOS code points; the ranker
never queries them, the query-repair vocabulary counts them.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

UNI, BI, LATIN = 1, 2, 3
SHIFT = 58
BOS_CP, EOS_CP = 0x2, 0x3
_LATIN_RE = re.compile(r"[a-z]+|[0-9]+")
_MASK56 = (1 << 56) - 1


def latin_key(token: str) -> int:
    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
    return (LATIN << SHIFT) | (int.from_bytes(digest, "big") & _MASK56)


def _cjk(cps: np.ndarray) -> np.ndarray:
    return (
        ((cps >= 0x3400) & (cps <= 0x4DBF)) | ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0xF900) & (cps <= 0xFAFF))
    )


def keys(folded: str, boundaries: bool = True) -> np.ndarray:
    """Every term occurrence of already folded text (repeats kept, order not meaningful)."""
    if not folded:
        return np.zeros(0, dtype=np.int64)
    cps = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    cjk = _cjk(cps)
    parts = [(UNI << SHIFT) | cps[cjk]]
    pair = cjk[:-1] & cjk[1:]
    parts.append((BI << SHIFT) | (cps[:-1][pair] << 21) | cps[1:][pair])
    if boundaries and cjk.any():
        prev = np.concatenate(([False], cjk[:-1]))
        nxt = np.concatenate((cjk[1:], [False]))
        parts.append((BI << SHIFT) | (BOS_CP << 21) | cps[cjk & ~prev])
        parts.append((BI << SHIFT) | (cps[cjk & ~nxt] << 21) | EOS_CP)
    tokens = _LATIN_RE.findall(folded)
    if tokens:
        parts.append(np.array([latin_key(t) for t in tokens], dtype=np.int64))
    return np.concatenate(parts)


def keys_with_positions(folded: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """keys() of a long text, with each key's character position and whether it is a boundary
    pair; used to key many documents joined into one string in a single numpy pass."""
    cps = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if not len(cps):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    cjk = _cjk(cps)
    idx = np.arange(len(cps), dtype=np.int64)
    prev = np.concatenate(([False], cjk[:-1]))
    nxt = np.concatenate((cjk[1:], [False]))
    pair = cjk[:-1] & cjk[1:]
    parts_key = [
        (UNI << SHIFT) | cps[cjk],
        (BI << SHIFT) | (cps[:-1][pair] << 21) | cps[1:][pair],
        (BI << SHIFT) | (BOS_CP << 21) | cps[cjk & ~prev],
        (BI << SHIFT) | (cps[cjk & ~nxt] << 21) | EOS_CP,
    ]
    parts_pos = [idx[cjk], idx[:-1][pair], idx[cjk & ~prev], idx[cjk & ~nxt]]
    parts_edge = [
        np.zeros(len(parts_pos[0]) + len(parts_pos[1]), dtype=bool),
        np.ones(len(parts_pos[2]) + len(parts_pos[3]), dtype=bool),
    ]
    matches = list(_LATIN_RE.finditer(folded))
    if matches:
        parts_key.append(np.array([latin_key(m.group(0)) for m in matches], dtype=np.int64))
        parts_pos.append(np.array([m.start() for m in matches], dtype=np.int64))
        parts_edge.append(np.zeros(len(matches), dtype=bool))
    return np.concatenate(parts_key), np.concatenate(parts_pos), np.concatenate(parts_edge)


def cjk_runs(folded: str) -> int:
    """Number of CJK runs (each adds two boundary bigrams to keys())."""
    if not folded:
        return 0
    cjk = _cjk(np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64))
    return int(np.count_nonzero(cjk & ~np.concatenate(([False], cjk[:-1]))))


def query_keys(folded: str) -> tuple[np.ndarray, np.ndarray]:
    """Distinct query terms (no boundary bigrams) and how often each occurs."""
    found, counts = np.unique(keys(folded, boundaries=False), return_counts=True)
    return found, counts.astype(np.float32)


def kind(key: np.ndarray) -> np.ndarray:
    return key >> SHIFT


def unigram_char(key: int) -> str:
    return chr(key & ((1 << 21) - 1))


def bigram_chars(key: int, bos: str, eos: str) -> str:
    a, b = (key >> 21) & ((1 << 21) - 1), key & ((1 << 21) - 1)
    return (bos if a == BOS_CP else chr(a)) + (eos if b == EOS_CP else chr(b))
