"""Completion while typing (pure): titles and popular queries by Chinese, pinyin or initials prefix.

打印 → 如何打印审批单…, bx → 如何发起费用报销？, mima → 如何修改OA登录密码？: every entry is keyed
by the text, its full pinyin and its initials, from each word start, in one sorted list searched
with bisect.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from portal.search import pinyin as py
from portal.search.fold import fold, is_cjk

MAX_STARTS = 6  # word starts keyed per entry
SCAN = 400  # keys examined per lookup at most


@dataclass(frozen=True)
class Entry:
    text: str
    weight: float
    kind: str  # "title" | "query"
    public: bool = True
    url: str | None = None


def _reading(ch: str) -> str:
    readings = py.readings(ch) if is_cjk(ch) else ()
    return readings[0] if readings else ch


def keys_for(text: str, starts: list[int]) -> set[str]:
    folded = fold(text)
    readings = [_reading(c) for c in folded]
    out = set()
    for s in starts[:MAX_STARTS]:
        tail = folded[s:]
        out.add(tail.replace(" ", ""))
        out.add("".join(readings[s:]).replace(" ", ""))
        out.add("".join(r[0] for r in readings[s:] if r.strip()))
    return {k for k in out if k}


class Suggester:
    def __init__(self, entries: list[Entry], word_starts):
        self.entries = entries
        pairs = []
        for i, entry in enumerate(entries):
            for key in keys_for(entry.text, word_starts(fold(entry.text))):
                pairs.append((key, i))
        pairs.sort()
        self.keys = [k for k, _ in pairs]
        self.index = [i for _, i in pairs]

    def suggest(self, prefix: str, *, public_only: bool, limit: int = 8) -> list[Entry]:
        q = fold(prefix).replace(" ", "")
        if not q:
            return []
        pos = bisect.bisect_left(self.keys, q)
        found: dict[int, bool] = {}
        for j in range(pos, min(pos + SCAN, len(self.keys))):
            if not self.keys[j].startswith(q):
                break
            found.setdefault(self.index[j], True)
        picked = [self.entries[i] for i in found if not public_only or self.entries[i].public]
        starts_with = {e.text for e in picked if fold(e.text).startswith(fold(prefix).strip())}
        picked.sort(key=lambda e: (e.text not in starts_with, e.kind != "query", -e.weight, e.text))
        seen, out = set(), []
        for e in picked:
            if e.text not in seen:
                seen.add(e.text)
                out.append(e)
            if len(out) == limit:
                break
        return out
