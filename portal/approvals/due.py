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
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.tickets.calendar import WorkCalendar

END_OF_DAY = time(23, 59, 59, 999999)   # WorkCalendar hours are [start, end): the whole day


def whole_day_calendar(weekdays: str = "12345", tz: str = "Asia/Shanghai", holidays: Iterable[date] = (),
                       workdays: Iterable[date] = ()) -> WorkCalendar:
    base = WorkCalendar.from_config(hours="00:00-23:59", weekdays=weekdays, tz=tz, holidays=holidays,
                                    workdays=workdays)
    return WorkCalendar(tz=ZoneInfo(tz), start=time(0, 0), end=END_OF_DAY, weekdays=base.weekdays,
                        holidays=base.holidays, workdays=base.workdays)


@dataclass(frozen=True)
class Limits:
    step_hours: float = 24          # each step of a normal route
    fast_track_hours: float = 24    # the whole fast-track request

    def __post_init__(self) -> None:
        if not (self.step_hours > 0 and self.fast_track_hours > 0):
            raise ValueError("approval time limits must be positive hours")


def step_due(started: datetime, position: int, n_steps: int, fast_track: bool, submitted: datetime,
             cal: WorkCalendar, limits: Limits) -> datetime:
    """The due time of step `position` (0-based) that reached its approver at `started`."""
    if fast_track:
        share = limits.fast_track_hours * (position + 1) / n_steps
        return cal.add_working(submitted, timedelta(hours=share))
    return cal.add_working(started, timedelta(hours=limits.step_hours))


def request_due(submitted: datetime, n_steps: int, fast_track: bool, cal: WorkCalendar,
                limits: Limits) -> datetime:
    """The promise for the whole request: the fast-track limit, or every step taking its full time."""
    hours = limits.fast_track_hours if fast_track else limits.step_hours * n_steps
    return cal.add_working(submitted, timedelta(hours=hours))
