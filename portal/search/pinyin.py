"""Toneless pinyin: readings of characters, syllable splitting, initials, fuzzy sounds.

Everything is derived at run time from pypinyin's character table
(``pypinyin.pinyin_dict``), so no data file is shipped.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import cache, lru_cache

INITIALS = (
    "zh",
    "ch",
    "sh",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
)
MAX_SYLLABLE = 6  # "zhuang", "shuang"
# Interjection syllables (呣 m, 嗯 n/ng, 哼 hm/hng, 欸 ê) nobody types for a word;
# leaving them out stops "mliuliang" from parsing as m + liu + liang.
NON_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng", "e^", "ê", "r"})

# Fuzzy pairs that speakers of many dialects merge (the usual IME "模糊音" list).
FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"), ("r", "l"))
FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("iang", "ian"), ("uang", "uan"))


def strip_tone(syllable: str) -> str:
    """'lǘ' → 'lv', 'hǎo' → 'hao'."""
    s = unicodedata.normalize("NFD", syllable)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.replace("ü", "v").replace("u\u0308", "v")


@lru_cache(maxsize=1)
def char_readings() -> dict[str, tuple[str, ...]]:
    """Every character pypinyin knows → its toneless readings (heteronyms kept)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: dict[str, tuple[str, ...]] = {}
    for cp, readings in pinyin_dict.items():
        syls = []
        for r in readings.split(","):
            s = strip_tone(r.strip())
            if s and s.isalpha() and s not in syls:
                syls.append(s)
        if syls:
            out[chr(cp)] = tuple(syls)
    return out


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """The set of valid toneless syllables."""
    return frozenset(s for rs in char_readings().values() for s in rs) - NON_SYLLABLES


@lru_cache(maxsize=1)
def syllable_chars() -> dict[str, frozenset[str]]:
    """Toneless syllable → characters that can be read that way."""
    out: dict[str, set[str]] = defaultdict(set)
    for ch, rs in char_readings().items():
        for s in rs:
            out[s].add(ch)
    return {s: frozenset(c) for s, c in out.items()}


@lru_cache(maxsize=1)
def main_reading_chars() -> dict[str, frozenset[str]]:
    """Toneless syllable → characters whose *main* (first-listed) reading it is."""
    out: dict[str, set[str]] = defaultdict(set)
    for ch, rs in char_readings().items():
        out[rs[0]].add(ch)
    return {s: frozenset(c) for s, c in out.items()}


def homophones(ch: str) -> frozenset[str]:
    """Characters sharing ``ch``'s main reading, any tone (secondary readings such
    as 还 "fu" or 不 "fou" would make half the language homophones)."""
    rs = readings(ch)
    return main_reading_chars().get(rs[0], frozenset()) if rs else frozenset()


def near_homophones(ch: str) -> frozenset[str]:
    """Characters whose main reading is a fuzzy variant (zh/z, n/l, an/ang …) of ``ch``'s."""
    rs = readings(ch)
    if not rs:
        return frozenset()
    table = main_reading_chars()
    return frozenset(c for v in fuzzy_variants(rs[0]) - {rs[0]} for c in table.get(v, ()))


def readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character ('' tuple when unknown)."""
    return char_readings().get(ch, ())


def initial(syllable: str) -> str:
    """Initial of a syllable ('zh' for 'zhang'; the first letter for 'an', 'e')."""
    for ini in INITIALS:
        if syllable.startswith(ini) and len(syllable) > len(ini):
            return ini
    return syllable[:1]


def fuzzy_variants(syllable: str) -> set[str]:
    """The syllable and its near-pinyin variants (zh/z, n/l, an/ang …) that exist."""
    ini = initial(syllable)
    fin = syllable[len(ini) :] if syllable.startswith(ini) else syllable
    inis, fins = {ini}, {fin}
    for a, b in FUZZY_INITIALS:
        if ini in (a, b):
            inis |= {a, b}
    for a, b in FUZZY_FINALS:
        if fin.endswith(a):
            fins.add(fin[: -len(a)] + b)
        elif fin.endswith(b):
            fins.add(fin[: -len(b)] + a)
    valid = syllables()
    return {i + f for i in inis for f in fins if i + f in valid}


def split_syllables(text: str, limit: int = 8) -> list[list[str]]:
    """All ways to split a latin run into valid syllables, fewest syllables first.

    'xian' → [['xian'], ['xi', 'an']]; '' or an unsplittable run → [].
    Apostrophes and spaces are honoured as hard boundaries by the caller.
    """
    valid = syllables()
    n = len(text)

    @cache
    def tails(i: int) -> tuple[tuple[str, ...], ...]:
        if i == n:
            return ((),)
        out: list[tuple[str, ...]] = []
        for j in range(min(n, i + MAX_SYLLABLE), i, -1):
            head = text[i:j]
            if head in valid:
                out.extend((head,) + t for t in tails(j))
                if len(out) >= limit:
                    break
        return tuple(out[:limit])

    return sorted((list(t) for t in tails(0)), key=len)[:limit]


def split_initials(text: str) -> list[str] | None:
    """Split a run of initials ('dlmm', 'zhgl') into initials, or None if it is not one."""
    out, i = [], 0
    while i < len(text):
        for ini in ("zh", "ch", "sh"):
            if text.startswith(ini, i):
                out.append(ini)
                i += 2
                break
        else:
            if text[i] not in "bpmfdtnlgkhjqxrzcsyw":
                return None
            out.append(text[i])
            i += 1
    return out


def word_keys(word: str, max_keys: int = 8) -> list[tuple[str, ...]]:
    """Toneless syllable tuples a word can be typed as (heteronym combinations, capped)."""
    keys: list[tuple[str, ...]] = [()]
    for ch in word:
        rs = readings(ch)
        if not rs:
            return []
        keys = [k + (r,) for k in keys for r in rs][:max_keys]
    return keys
