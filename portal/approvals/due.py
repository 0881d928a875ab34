"""When each step of a route is due (pure: times and a calendar in, times out).

"Within 24 hours on working days" (MISSION.md) counts whole working days: the clock runs around
the clock on a working day and stops on weekends and holidays, so a fast-track request
submitted on Friday at 15:00 is due on Monday at 15:00. A normal route gives each step
`step_hours` of that time from the moment it reaches the approver; the fast track promises the
whole request within `fast_track_hours` and spreads that time evenly over its steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.core.calendar import WorkCalendar, require_aware

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingDays:
    """A clock that runs around the clock on working days: weekdays (0 = Monday), minus holidays,
    plus make-up working days (调休)."""

    tz: ZoneInfo
    weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_working_day(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() in self.weekdays and d not in self.holidays)

    def _bounds(self, d: date) -> tuple[datetime, datetime]:
        start = datetime.combine(d, time(0), tzinfo=self.tz).astimezone(UTC)
        return start, datetime.combine(d + _DAY, time(0), tzinfo=self.tz).astimezone(UTC)

    def add_working(self, t: datetime, delta: timedelta) -> datetime:
        """The instant by which `delta` of working-day time has passed after t."""
        if delta < timedelta(0):
            raise ValueError("working time to add must not be negative")
        begin, remaining = require_aware(t).astimezone(UTC), delta
        d = begin.astimezone(self.tz).date()
        for _ in range(3660):  # ten years of days: a calendar without working days fails loudly
            if self.is_working_day(d):
                lo, hi = self._bounds(d)
                lo = max(lo, begin)
                if hi > lo:
                    if remaining <= hi - lo:
                        return (lo + remaining).astimezone(self.tz)
                    remaining -= hi - lo
            d += _DAY
        raise ValueError("the approval calendar has no working days")

    def working_between(self, a: datetime, b: datetime) -> timedelta:
        a, b = require_aware(a).astimezone(UTC), require_aware(b).astimezone(UTC)
        total, d = timedelta(0), a.astimezone(self.tz).date()
        while b > a and d <= b.astimezone(self.tz).date():
            if self.is_working_day(d):
                lo, hi = self._bounds(d)
                total += max(timedelta(0), min(hi, b) - max(lo, a))
            d += _DAY
        return total


def whole_day_calendar(
    weekdays: str = "12345", tz: str = "Asia/Shanghai", holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> WorkingDays:
    """Settings checked like the ticket calendar's (weekdays as ISO digits, an IANA zone)."""
    base = WorkCalendar.from_config(hours="00:00-23:59", weekdays=weekdays, tz=tz, holidays=holidays, workdays=workdays)
    return WorkingDays(tz=base.tz, weekdays=base.weekdays, holidays=base.holidays, workdays=base.workdays)


@dataclass(frozen=True)
class Limits:
    step_hours: float = 24  # each step of a normal route
    fast_track_hours: float = 24  # the whole fast-track request

    def __post_init__(self) -> None:
        if not (self.step_hours > 0 and self.fast_track_hours > 0):
            raise ValueError("approval time limits must be positive hours")


def step_due(
    started: datetime,
    position: int,
    n_steps: int,
    fast_track: bool,
    submitted: datetime,
    cal: WorkingDays,
    limits: Limits,
) -> datetime:
    """The due time of step `position` (0-based) that reached its approver at `started`."""
    if fast_track:
        share = limits.fast_track_hours * (position + 1) / n_steps
        return cal.add_working(submitted, timedelta(hours=share))
    return cal.add_working(started, timedelta(hours=limits.step_hours))


def request_due(submitted: datetime, n_steps: int, fast_track: bool, cal: WorkingDays, limits: Limits) -> datetime:
    """The promise for the whole request: the fast-track limit, or every step taking its full time."""
    hours = limits.fast_track_hours if fast_track else limits.step_hours * n_steps
    return cal.add_working(submitted, timedelta(hours=hours))
