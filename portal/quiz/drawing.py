"""Drawing a paper (pure): which questions, in which order, with which option order.

A definition's draws say how many questions of which kind and tags to take, e.g.
[{"kind": "single", "tags": ["登录"], "count": 3}, {"kind": "practical", "count": 1}]. A question
matches a draw when it is active, of the level, of the kind (if given) and carries one of the
tags (if given). A question is drawn at most once per paper; the paper order and each question's
option order are shuffled with the given random generator and stored, so a reload shows the
same paper.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KINDS = ("single", "multiple", "true_false", "practical")
LEVELS = ("beginner", "intermediate", "advanced")


class DrawError(ValueError):
    """The bank does not hold enough questions for a draw (the message says which)."""


@dataclass(frozen=True)
class Candidate:
    id: int
    kind: str
    level: str
    tags: tuple[str, ...]
    option_keys: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class Draw:
    count: int
    kind: str | None = None
    tags: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: object) -> Draw:
        if not isinstance(data, dict):
            raise DrawError("a draw is an object with count, and optionally kind and tags")
        count, kind, tags = data.get("count"), data.get("kind"), data.get("tags") or []
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 200:
            raise DrawError(f"count must be a whole number from 1 to 200, got {count!r}")
        if kind is not None and kind not in KINDS:
            raise DrawError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise DrawError("tags must be a list of words")
        return cls(count=count, kind=kind, tags=tuple(t.strip() for t in tags))

    def matches(self, q: Candidate, level: str) -> bool:
        return (
            q.active
            and q.level == level
            and (self.kind is None or q.kind == self.kind)
            and (not self.tags or bool(set(self.tags) & set(q.tags)))
        )


@dataclass(frozen=True)
class PaperItem:
    question_id: int
    option_order: tuple[str, ...]


def parse_draws(data: object) -> list[Draw]:
    if not isinstance(data, list) or not data:
        raise DrawError("a certification needs at least one draw")
    return [Draw.parse(d) for d in data]


def draw(candidates: Iterable[Candidate], draws: Sequence[Draw], level: str, rng: random.Random) -> list[PaperItem]:
    """The paper; DrawError when a draw cannot be filled. Practical tasks come last."""
    pool = sorted(candidates, key=lambda c: c.id)
    taken: set[int] = set()
    chosen: list[Candidate] = []
    for d in draws:
        fits = [c for c in pool if c.id not in taken and d.matches(c, level)]
        if len(fits) < d.count:
            what = " ".join(filter(None, [d.kind or "", "/".join(d.tags)])) or "any"
            raise DrawError(f"the bank has {len(fits)} {level} question(s) for the draw {what!r}; {d.count} needed")
        picked = rng.sample(fits, d.count)
        taken.update(c.id for c in picked)
        chosen.extend(picked)
    rng.shuffle(chosen)
    chosen.sort(key=lambda c: c.kind == "practical")  # stable: the shuffle stays within each group
    paper = []
    for c in chosen:
        keys = list(c.option_keys)
        if c.kind in ("single", "multiple"):
            rng.shuffle(keys)
        paper.append(PaperItem(c.id, tuple(keys)))
    return paper
