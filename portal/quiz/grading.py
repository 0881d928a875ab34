"""Grading (pure): objective questions at submission, the practical task from its rubric, and
the verdict. Points are Decimals with two places.

Multiple choice, by the definition's `partial_credit`:
- none: full points only for exactly the correct set, else 0;
- proportional: points x (correct chosen / all correct), but 0 if any wrong option is chosen;
- penalty: points x max(0, (correct chosen - wrong chosen) / all correct).
Single choice and true/false: full points for the one correct answer. An empty answer is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RULES = ("none", "proportional", "penalty")
CENT = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def grade_objective(
    kind: str, correct: Iterable[str], response: Iterable[str], points: int | Decimal, rule: str = "none"
) -> Decimal:
    if rule not in RULES:
        raise ValueError(f"partial credit rule must be one of {RULES}, got {rule!r}")
    correct, chosen, points = set(correct), set(response), Decimal(points)
    if not chosen or not correct:
        return Decimal("0.00")
    if kind in ("single", "true_false"):
        return _q(points) if chosen == correct else Decimal("0.00")
    if kind != "multiple":
        raise ValueError(f"not an objective question kind: {kind!r}")
    if chosen == correct:
        return _q(points)
    hits, wrong = len(chosen & correct), len(chosen - correct)
    if rule == "none":
        return Decimal("0.00")
    if rule == "proportional":
        return Decimal("0.00") if wrong else _q(points * hits / len(correct))
    return _q(points * max(0, hits - wrong) / len(correct))


class RubricError(ValueError):
    pass


def grade_rubric(rubric: Sequence[dict], scores: Sequence[object]) -> Decimal:
    """The reviewer's points per criterion, each whole or half, within 0..the criterion's points."""
    if len(scores) != len(rubric):
        raise RubricError(f"score every criterion ({len(rubric)}), got {len(scores)}")
    total = Decimal(0)
    for i, (criterion, raw) in enumerate(zip(rubric, scores)):
        try:
            value = Decimal(str(raw).strip())
        except Exception:
            raise RubricError(f"criterion {i + 1}: not a number: {raw!r}") from None
        if not value.is_finite() or value < 0 or value > Decimal(criterion["points"]):
            raise RubricError(f"criterion {i + 1}: between 0 and {criterion['points']}")
        if value * 2 != int(value * 2):
            raise RubricError(f"criterion {i + 1}: whole or half points")
        total += value
    return _q(total)


@dataclass(frozen=True)
class Verdict:
    score: Decimal  # percent, two places
    passed: bool


def verdict(points: Decimal, max_points: Decimal, pass_mark: int) -> Verdict:
    """Passed when the share of all points reaches the pass mark (percent)."""
    if max_points <= 0:
        raise ValueError("a paper has at least one point")
    score = _q(Decimal(points) * 100 / Decimal(max_points))
    return Verdict(score, score >= pass_mark)
