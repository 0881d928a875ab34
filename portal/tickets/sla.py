"""SLA rules over plain values: the service tiers, first-response and resolution due times,
pauses, risk, what the requester is told to expect after a due time has passed, KPI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from portal.core.calendar import WorkCalendar, require_aware

Pause = tuple[datetime, datetime | None]  # (start, end); end None: still waiting


class Severity(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class Tier(StrEnum):
    """The promise the support desk chooses at triage (kept in the ticket's `complexity` column)."""

    STANDARD = "standard"  # the default tier: respond in 1 h, solve in 4 h of service time
    SIMPLE = "simple"  # solved within 1 working day
    COMPLEX = "complex"  # solved within 3 working days, escalated to a senior engineer


Complexity = Tier  # the name the column and older callers use


class Risk(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


@dataclass(frozen=True)
class SlaPolicy:
    urgent_response: timedelta = timedelta(minutes=15)  # wall clock, filed in working time
    urgent_after_hours_response: timedelta = timedelta(minutes=30)  # wall clock, filed outside it
    normal_response: timedelta = timedelta(hours=1)  # working time
    standard_response: timedelta = timedelta(hours=1)  # working time, normal tickets of the standard tier
    standard_resolution: timedelta = timedelta(hours=4)  # working time
    simple_resolution_days: int = 1  # working days
    complex_resolution_days: int = 3
    warn_share: float = 0.75  # warn once this share of the allowed time is used ...
    warn_min: timedelta = timedelta(minutes=10)  # ... or when less than this remains

    def __post_init__(self) -> None:
        if not 0 < self.warn_share <= 1:
            raise ValueError(f"warn_share must be in (0, 1], got {self.warn_share}")
        if self.simple_resolution_days < 0 or self.complex_resolution_days < 0:
            raise ValueError("resolution targets must not be negative")
        if self.standard_response <= timedelta(0) or self.standard_resolution <= timedelta(0):
            raise ValueError("the standard tier's response and resolution times must be positive")


DEFAULT_CALENDAR = WorkCalendar()
DEFAULT_POLICY = SlaPolicy()


def response_in_working_time(severity: Severity | str) -> bool:
    """Normal first responses are measured in working time, urgent ones on the wall clock."""
    return Severity(severity) is Severity.NORMAL


def first_response_due(
    created: datetime,
    severity: Severity | str,
    cal: WorkCalendar = DEFAULT_CALENDAR,
    policy: SlaPolicy = DEFAULT_POLICY,
    tier: Tier | str | None = None,
) -> datetime:
    """Urgent: minutes on the wall clock whatever the tier; normal: working time, the standard
    tier's own (`standard_response`) or `normal_response` for the others and without a tier."""
    created = require_aware(created, "created").astimezone(cal.tz)
    if Severity(severity) is Severity.URGENT:
        wait = policy.urgent_response if cal.is_working_time(created) else policy.urgent_after_hours_response
        return _wall_add(created, wait, cal)
    wait = policy.standard_response if tier is not None and Tier(tier) is Tier.STANDARD else policy.normal_response
    return cal.add_working(created, wait)


def _wall_add(t: datetime, delta: timedelta, cal: WorkCalendar) -> datetime:
    return (t.astimezone(UTC) + delta).astimezone(cal.tz)


def resolution_target(
    tier: Tier | str, cal: WorkCalendar = DEFAULT_CALENDAR, policy: SlaPolicy = DEFAULT_POLICY
) -> timedelta:
    """Allowed working time: the standard tier's hours, or N working days of cal.day_length() each."""
    tier = Tier(tier)
    if tier is Tier.STANDARD:
        return policy.standard_resolution
    days = policy.complex_resolution_days if tier is Tier.COMPLEX else policy.simple_resolution_days
    return days * cal.day_length()


def _merged(pauses: Sequence[Pause], since: datetime, until: datetime | None = None) -> list[tuple[datetime, datetime]]:
    """Pauses clipped to [since, until) (open ones end at `until`), sorted and merged."""
    spans = []
    for start, end in pauses:
        require_aware(start, "pause start")
        if end is None:
            if until is None:
                raise ValueError("an open pause needs an end bound")
            end = until
        elif require_aware(end, "pause end") < start:
            raise ValueError(f"a pause cannot end before it starts: {start.isoformat()} > {end.isoformat()}")
        start = max(start, since)
        if until is not None:
            end = min(end, until)
        if end > start:
            spans.append((start, end))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def resolution_due(
    created: datetime,
    tier: Tier | str,
    cal: WorkCalendar = DEFAULT_CALENDAR,
    pauses: Sequence[Pause] = (),
    policy: SlaPolicy = DEFAULT_POLICY,
) -> datetime | None:
    """Working-time due date; each pause that starts before the due time pushes it by the working
    time it covered. An open pause (end None) stops the clock: None."""
    created = require_aware(created, "created")
    if any(end is None for _, end in pauses):
        return None
    due = cal.add_working(created, resolution_target(tier, cal, policy))
    for start, end in _merged(pauses, created):
        if start >= due:  # the clock had already run out; a later pause cannot undo a breach
            break
        due = cal.add_working(due, cal.working_between(start, end))
    return due


def elapsed_working(
    start: datetime, now: datetime, cal: WorkCalendar = DEFAULT_CALENDAR, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Working time the clock has run from start to now, pauses (open ones up to now) excluded."""
    total = cal.working_between(start, now)
    if total:
        total -= sum((cal.working_between(a, b) for a, b in _merged(pauses, start, now)), timedelta(0))
    return total


def remaining(now: datetime, due: datetime, cal: WorkCalendar = DEFAULT_CALENDAR, working: bool = True) -> timedelta:
    """Time left until due (working or wall time); negative once overdue."""
    require_aware(now, "now")
    require_aware(due, "due")
    if not working:
        return due - now
    return cal.working_between(now, due) if due >= now else -cal.working_between(due, now)


def warn_at(
    start: datetime,
    due: datetime,
    cal: WorkCalendar = DEFAULT_CALENDAR,
    policy: SlaPolicy = DEFAULT_POLICY,
    working: bool = True,
) -> datetime:
    """The first instant at which risk() turns to WARNING (handy to schedule a job)."""
    require_aware(start, "start")
    require_aware(due, "due")
    if working:
        total = cal.working_between(start, due)
        by_share = cal.add_working(start, total * policy.warn_share)
        by_min = cal.add_working(start, max(total - policy.warn_min, timedelta(0)))
    else:
        total = max(due - start, timedelta(0))
        by_share = _wall_add(start, total * policy.warn_share, cal)
        by_min = _wall_add(start, max(total - policy.warn_min, timedelta(0)), cal)
    return min(by_share, by_min)


def risk(
    now: datetime,
    start: datetime,
    due: datetime | None,
    done_at: datetime | None = None,
    paused: bool = False,
    cal: WorkCalendar = DEFAULT_CALENDAR,
    policy: SlaPolicy = DEFAULT_POLICY,
    working: bool = True,
) -> Risk:
    """Where a target stands. `working` measures in working time (normal response, resolution);
    pass False for the wall-clock urgent response. While paused the due time moves, so PAUSED."""
    require_aware(now, "now")
    require_aware(start, "start")
    if done_at is not None:
        if due is None:
            raise ValueError("a finished target needs its due time")
        return Risk.MET if require_aware(done_at, "done_at") <= due else Risk.BREACHED
    if paused or due is None:
        return Risk.PAUSED
    if now > require_aware(due, "due"):
        return Risk.BREACHED
    if working:
        total, left = cal.working_between(start, due), cal.working_between(now, due)
    else:
        total, left = max(due - start, timedelta(0)), due - now
    used = max(total - left, timedelta(0))
    if left < policy.warn_min or (total and used / total >= policy.warn_share):
        return Risk.WARNING
    return Risk.OK


class Promise(StrEnum):
    """What the requester is told about the solution of an open ticket."""

    DUE = "due"  # the due time, still ahead
    REVISED = "revised"  # the engineer's later expected time, with its reason
    OWED = "owed"  # the time told has passed: the engineer owes a reason and a new time
    NONE = "none"  # nothing to promise: finished, or waiting for the requester (clock paused)


@dataclass(frozen=True)
class Outlook:
    promise: Promise
    at: datetime | None = None  # the time to show with DUE and REVISED
    response_late: bool = False  # no first response and its due time has passed


def outlook(
    now: datetime,
    *,
    running: bool,
    due: datetime | None,
    revised: datetime | None = None,
    response_due: datetime | None = None,
    responded: bool = True,
) -> Outlook:
    """Never a time in the past: once the due time (or the engineer's later expected time) has
    passed, the ticket owes the requester a reason and a new expected time. `running`: open and
    not waiting for the requester; `revised`: the engineer's latest expected time, if any."""
    require_aware(now, "now")
    late = not responded and response_due is not None and require_aware(response_due, "response_due") < now
    if not running:
        return Outlook(Promise.NONE, response_late=late)
    if revised is not None:
        if now <= require_aware(revised, "revised"):
            return Outlook(Promise.REVISED, revised, late)
        return Outlook(Promise.OWED, response_late=late)
    if due is None:
        return Outlook(Promise.NONE, response_late=late)
    if now <= require_aware(due, "due"):
        return Outlook(Promise.DUE, due, late)
    return Outlook(Promise.OWED, response_late=late)


def resolution_time(first_response_at: datetime, resolved_at: datetime) -> timedelta:
    """The KPI: resolution minus first response (wall clock)."""
    first = require_aware(first_response_at, "first_response_at")
    resolved = require_aware(resolved_at, "resolved_at")
    if resolved < first:
        raise ValueError("a ticket cannot be resolved before its first response")
    return resolved - first
