"""The difference between two versions of an article (pure): changed fields, and the body line by
line with the changed characters of a changed line marked, unchanged stretches folded to a count.

One column, a removed line followed by the line that replaced it, so it reads the same on a phone
as on a desk; the template escapes every text (nothing here is HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 3  # unchanged lines shown around each change
INTRALINE_MAX = 4_000_000  # len(a) * len(b) above which a changed line is marked whole
INTRALINE_RATIO = 0.3  # lines less alike than this are shown as removed and added, not marked


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class Line:
    """One row of the diff: `same`, `del`, `ins`, or `gap` (`skipped` unchanged lines folded)."""

    kind: str
    old_no: int | None = None
    new_no: int | None = None
    segments: tuple[Segment, ...] = ()
    skipped: int = 0


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


def field_changes(old: dict[str, str], new: dict[str, str]) -> list[FieldChange]:
    """The fields whose values differ, in `old`'s order."""
    return [FieldChange(k, old[k], new.get(k, "")) for k in old if old[k] != new.get(k, "")]


def _whole(text: str, changed: bool) -> tuple[Segment, ...]:
    return (Segment(text, changed),) if text else ()


def _marked(a: str, b: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]] | None:
    """The characters that differ between two lines, or None when the lines are too unlike
    (or too long) for marks to help."""
    if len(a) * len(b) > INTRALINE_MAX:
        return None
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < INTRALINE_RATIO:
        return None
    old: list[Segment] = []
    new: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old.append(Segment(a[i1:i2], False))
            new.append(Segment(b[j1:j2], False))
            continue
        if i2 > i1:
            old.append(Segment(a[i1:i2], True))
        if j2 > j1:
            new.append(Segment(b[j1:j2], True))
    return tuple(old), tuple(new)


def _replaced(a: list[str], b: list[str], i1: int, j1: int) -> list[Line]:
    """A block of lines replaced by another: pairs side by side in one column, the rest whole."""
    rows: list[Line] = []
    for n in range(max(len(a), len(b))):
        old = a[n] if n < len(a) else None
        new = b[n] if n < len(b) else None
        marks = _marked(old, new) if old is not None and new is not None else None
        if old is not None:
            rows.append(Line("del", old_no=i1 + n + 1, segments=marks[0] if marks else _whole(old, True)))
        if new is not None:
            rows.append(Line("ins", new_no=j1 + n + 1, segments=marks[1] if marks else _whole(new, True)))
    return rows


def body_diff(old: str, new: str, context: int = CONTEXT) -> list[Line]:
    """The rows that show how `new` differs from `old`; [] when the texts are the same."""
    a, b = old.splitlines(), new.splitlines()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    rows: list[Line] = []
    shown_to = 0  # old lines before this index are shown or folded
    for group in matcher.get_grouped_opcodes(context):
        if group[0][0] == "equal" and len(group) == 1:
            return []  # identical
        start = group[0][1]
        if start > shown_to:
            rows.append(Line("gap", skipped=start - shown_to))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(
                    Line("same", old_no=i + 1, new_no=j + 1, segments=_whole(a[i], False))
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
            elif tag == "delete":
                rows.extend(Line("del", old_no=i + 1, segments=_whole(a[i], True)) for i in range(i1, i2))
            elif tag == "insert":
                rows.extend(Line("ins", new_no=j + 1, segments=_whole(b[j], True)) for j in range(j1, j2))
            else:
                rows.extend(_replaced(a[i1:i2], b[j1:j2], i1, j1))
        shown_to = group[-1][2]
    if rows and shown_to < len(a):
        rows.append(Line("gap", skipped=len(a) - shown_to))
    return rows


def counts(rows: list[Line]) -> tuple[int, int]:
    """(lines removed, lines added)."""
    return sum(r.kind == "del" for r in rows), sum(r.kind == "ins" for r in rows)
