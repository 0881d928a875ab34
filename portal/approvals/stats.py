"""Approval statistics with plain values: how long requests and steps take, and how many go over
their time limit, per template, step role, month and department.

No database and no Flask here: the view loads rows (naive UTC datetimes, as stored) and these
functions group them. Durations are wall-clock hours (decided - submitted for a request, decided
- started for a step); only finished requests and decided steps have one.

Over the time limit: a decided request or step is over when it was decided after its due time;
one still open is over when `now` is past its due time. Exactly at the due time is not over.
Requests withdrawn or returned for changes, and steps never reached or skipped, have no verdict
and are left out of the share (the requester or the flow ended them, not an approver's delay).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

FINISHED_REQUEST = frozenset({"approved", "rejected"})
OPEN_REQUEST = frozenset({"in_progress"})
DECIDED_STEP = frozenset({"approved", "rejected", "returned"})
OPEN_STEP = frozenset({"pending"})
LOCAL_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class RequestRow:
    template_key: str
    department_id: int | None
    state: str
    submitted_at: datetime
    decided_at: datetime | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class StepRow:
    template_key: str
    role: str
    started_at: datetime | None
    decided_at: datetime | None
    due_at: datetime | None
    state: str
    department_id: int | None = None
    submitted_at: datetime | None = None  # the request's, so steps group by the request's month


@dataclass(frozen=True)
class Group:
    """One bar / one table row: `key` is a template key, role, "YYYY-MM" or department id."""

    key: Hashable
    count: int = 0  # rows in the group
    finished: int = 0  # rows with a duration
    avg_hours: float | None = None
    timed: int = 0  # rows with a verdict on the time limit
    over: int = 0  # ... of which over it
    over_share: float | None = None  # over / timed, 0..1; None when nothing was timed


# --- single rows -------------------------------------------------------------------------------


def hours(start: datetime | None, end: datetime | None) -> float | None:
    """Wall-clock hours from start to end; None when either is missing or end is before start."""
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 3600


def is_over(due_at: datetime | None, decided_at: datetime | None, now: datetime, *, open_: bool) -> bool | None:
    """Over the limit? Decided: decided after due. Open: now past due. None: no limit."""
    if due_at is None:
        return None
    if decided_at is not None:
        return decided_at > due_at
    if open_:
        return now > due_at
    return None


def request_hours(row: RequestRow) -> float | None:
    return hours(row.submitted_at, row.decided_at) if row.state in FINISHED_REQUEST else None


def request_over(row: RequestRow, now: datetime) -> bool | None:
    if row.state in FINISHED_REQUEST:
        return is_over(row.due_at, row.decided_at, now, open_=False)
    if row.state in OPEN_REQUEST:
        return is_over(row.due_at, None, now, open_=True)
    return None


def step_hours(row: StepRow) -> float | None:
    return hours(row.started_at, row.decided_at) if row.state in DECIDED_STEP else None


def step_over(row: StepRow, now: datetime) -> bool | None:
    if row.state in DECIDED_STEP:
        return is_over(row.due_at, row.decided_at, now, open_=False)
    if row.state in OPEN_STEP:
        return is_over(row.due_at, None, now, open_=True)
    return None


def step_reached(row: StepRow) -> bool:
    """A step someone had to act on (not one never reached or skipped)."""
    return row.state in DECIDED_STEP or row.state in OPEN_STEP


# --- months ------------------------------------------------------------------------------------


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def local(t: datetime, tz: str | tzinfo = LOCAL_TZ) -> datetime:
    """A naive UTC (database) time in local time."""
    aware = t if t.tzinfo else t.replace(tzinfo=UTC)
    return aware.astimezone(_zone(tz))


def month_of(t: datetime, tz: str | tzinfo = LOCAL_TZ) -> str:
    """ "YYYY-MM" of a naive UTC time, in local time (2026-01-31 16:00 UTC is 2026-02 in Shanghai)."""
    return local(t, tz).strftime("%Y-%m")


def last_months(now: datetime, n: int, tz: str | tzinfo = LOCAL_TZ) -> list[str]:
    """The `n` local months up to and including the month of `now`, oldest first."""
    cur = local(now, tz)
    year, month = cur.year, cur.month
    out = []
    for _ in range(max(n, 0)):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def months_start(now: datetime, n: int, tz: str | tzinfo = LOCAL_TZ) -> datetime:
    """Naive UTC start of the first of the last `n` local months (for the database filter)."""
    first = last_months(now, max(n, 1), tz)[0]
    year, month = (int(p) for p in first.split("-"))
    start = datetime(year, month, 1, tzinfo=_zone(tz))
    return start.astimezone(UTC).replace(tzinfo=None)


# --- grouping ----------------------------------------------------------------------------------


def _summarise(key: Hashable, rows: Sequence, duration: Callable, over: Callable) -> Group:
    durations = [d for d in (duration(r) for r in rows) if d is not None]
    verdicts = [v for v in (over(r) for r in rows) if v is not None]
    n_over = sum(1 for v in verdicts if v)
    return Group(
        key=key,
        count=len(rows),
        finished=len(durations),
        avg_hours=sum(durations) / len(durations) if durations else None,
        timed=len(verdicts),
        over=n_over,
        over_share=n_over / len(verdicts) if verdicts else None,
    )


def _sort_key(key):
    return (key is None, str(type(key)), key if key is not None else 0)


def group(
    rows: Iterable, key: Callable, duration: Callable, over: Callable, order: Sequence | None = None
) -> list[Group]:
    """Rows grouped by key(row): in `order` (keys listed there appear even when empty) and then
    the other keys sorted, None last."""
    buckets: dict = {}
    for r in rows:
        buckets.setdefault(key(r), []).append(r)
    keys = list(order or [])
    keys += sorted((k for k in buckets if k not in set(keys)), key=_sort_key)
    return [_summarise(k, buckets.get(k, []), duration, over) for k in keys]


def requests_by(
    rows: Iterable[RequestRow], by: str, now: datetime, *, tz: str | tzinfo = LOCAL_TZ, order: Sequence | None = None
) -> list[Group]:
    """Requests per "template", "department" or "month" (of submission, local time)."""
    keys = {
        "template": lambda r: r.template_key,
        "department": lambda r: r.department_id,
        "month": lambda r: month_of(r.submitted_at, tz),
    }
    return group(rows, keys[by], request_hours, lambda r: request_over(r, now), order)


def steps_by(
    rows: Iterable[StepRow], by: str, now: datetime, *, tz: str | tzinfo = LOCAL_TZ, order: Sequence | None = None
) -> list[Group]:
    """Reached steps per "role", "template", "department" or "month" (of the request's submission,
    else of the step's start, local time)."""
    keys = {
        "role": lambda r: r.role,
        "template": lambda r: r.template_key,
        "department": lambda r: r.department_id,
        "month": lambda r: month_of(r.submitted_at or r.started_at, tz),
    }
    return group([r for r in rows if step_reached(r)], keys[by], step_hours, lambda r: step_over(r, now), order)


def average_hours_by_template(rows: Iterable[RequestRow]) -> dict[str, float]:
    """{template key: average hours} of the finished requests (templates without one left out)."""
    groups = group(rows, lambda r: r.template_key, request_hours, lambda r: None)
    return {str(g.key): g.avg_hours for g in groups if g.avg_hours is not None}


def average_hours_by_role(rows: Iterable[StepRow]) -> dict[str, float]:
    """{step role: average hours} of the decided steps."""
    groups = group([r for r in rows if step_reached(r)], lambda r: r.role, step_hours, lambda r: None)
    return {str(g.key): g.avg_hours for g in groups if g.avg_hours is not None}


def over_share(rows: Iterable[StepRow] | Iterable[RequestRow], now: datetime) -> float | None:
    """The share (0..1) of steps or requests over their time limit; None when nothing is timed."""
    verdicts = []
    for r in rows:
        v = step_over(r, now) if isinstance(r, StepRow) else request_over(r, now)
        if v is not None:
            verdicts.append(v)
    return sum(verdicts) / len(verdicts) if verdicts else None
