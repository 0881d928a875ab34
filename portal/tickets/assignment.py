"""Who gets a ticket, and when it goes to a senior engineer. Plain values only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from portal.tickets.sla import Complexity, Risk


@dataclass(frozen=True)
class Candidate:
    user_id: int
    region_id: int | None
    open_load: int  # open tickets currently assigned
    last_assigned: datetime | None  # None: never assigned
    senior: bool = False


def _order(c: Candidate) -> tuple[int, bool, float, int]:
    last = c.last_assigned
    return (c.open_load, last is not None, 0.0 if last is None else last.timestamp(), c.user_id)


def pick_assignee(candidates: Sequence[Candidate], region_id: int | None, senior: bool = False) -> int | None:
    """Seniors only when `senior`; the requester's region first (everyone if it has nobody);
    least open load, then round-robin: assigned longest ago (never first), then lowest id."""
    pool = [c for c in candidates if c.senior] if senior else list(candidates)
    if region_id is not None:
        pool = [c for c in pool if c.region_id == region_id] or pool
    return min(pool, key=_order).user_id if pool else None


def needs_escalation(complexity: Complexity | str, risk_now: Risk | str | None, escalated_already: bool) -> bool:
    """Complex problems and breaches go to a senior engineer, once."""
    if escalated_already:
        return False
    return Complexity(complexity) is Complexity.COMPLEX or (risk_now is not None and Risk(risk_now) is Risk.BREACHED)
