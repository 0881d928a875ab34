"""A working calendar over aware datetimes: opening hours, working weekdays, holidays and
make-up working days (调休). Pure values, no I/O; walks day by day, never minute by minute."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_ONE_DAY = timedelta(days=1)


def require_aware(t: datetime, name: str = "datetime") -> datetime:
    """Return t, refusing naive datetimes (ValueError): local times are ambiguous."""
    if not isinstance(t, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {t.isoformat()}")
    return t


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """Working time is [start, end) local time in `tz` on every working day."""

    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")
    start: time = time(9, 0)
    end: time = time(17, 0)
    weekdays: frozenset[int] = frozenset(range(7))  # 0 = Monday; default 7x8: every day
    holidays: frozenset[date] = frozenset()  # off although their weekday works
    workdays: frozenset[date] = frozenset()  # make-up working days (调休)

    def __post_init__(self) -> None:
        for name in ("weekdays", "holidays", "workdays"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("opening hours must be plain local times without tzinfo")
        if self.start >= self.end:
            raise ValueError(f"opening hours must end after they start, got {self.start}-{self.end}")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}")
        if not self.weekdays and not self.workdays:
            raise ValueError("a calendar needs at least one working weekday or working day")

    # -- days ---------------------------------------------------------------------------------
    def day_length(self) -> timedelta:
        """Working time in one working day (the unit of 'working days')."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def is_working_day(self, d: date) -> bool:
        """Make-up working days win over everything, holidays over the weekday rule."""
        if isinstance(d, datetime):
            d = require_aware(d).astimezone(self.tz).date()
        if d in self.workdays:
            return True
        return d.weekday() in self.weekdays and d not in self.holidays

    def _opening(self, d: date) -> datetime:
        return datetime.combine(d, self.start, tzinfo=self.tz)

    def _closing(self, d: date) -> datetime:
        return datetime.combine(d, self.end, tzinfo=self.tz)

    def _next_working_day(self, d: date) -> date:
        """The first working day on or after d (bounded: holidays are a finite set)."""
        if not self.weekdays:
            later = [w for w in self.workdays if w >= d]
            if not later:
                raise ValueError(f"the calendar has no working day on or after {d.isoformat()}")
            return min(later)
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    # -- instants -----------------------------------------------------------------------------
    def is_working_time(self, t: datetime) -> bool:
        local = require_aware(t).astimezone(self.tz)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_working_start(self, t: datetime) -> datetime:
        """t itself (in tz) if it is working time, else the next opening."""
        local = require_aware(t).astimezone(self.tz)
        d = local.date()
        if self.is_working_day(d):
            if local.time() < self.start:
                return self._opening(d)
            if local.time() < self.end:
                return local
        return self._opening(self._next_working_day(d + _ONE_DAY))

    def add_working(self, t: datetime, delta: timedelta) -> datetime:
        """The earliest instant after t by which `delta` of working time has passed.

        A due time that falls exactly at closing stays at closing, not the next opening."""
        local = require_aware(t).astimezone(self.tz)
        if delta < timedelta(0):
            raise ValueError(f"working time to add must not be negative, got {delta}")
        if not delta:
            return local
        remaining, d, begin_at = delta, local.date(), _utc(local)
        while True:
            d = self._next_working_day(d)
            begin = max(begin_at, _utc(self._opening(d)))
            available = _utc(self._closing(d)) - begin
            if available > timedelta(0):
                if remaining <= available:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= available
            d += _ONE_DAY

    def working_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time within [a, b); zero if b <= a."""
        a_utc, b_utc = _utc(require_aware(a, "a")), _utc(require_aware(b, "b"))
        if b_utc <= a_utc:
            return timedelta(0)
        total = timedelta(0)
        d, last = a_utc.astimezone(self.tz).date(), b_utc.astimezone(self.tz).date()
        while d <= last:
            if self.is_working_day(d):
                lo = max(a_utc, _utc(self._opening(d)))
                hi = min(b_utc, _utc(self._closing(d)))
                if hi > lo:
                    total += hi - lo
            d += _ONE_DAY
        return total

    # -- configuration ------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        hours: str = "09:00-17:00",
        weekdays: str = "1234567",
        tz: str = "Asia/Shanghai",
        holidays: Iterable[date | str] = (),
        workdays: Iterable[date | str] = (),
    ) -> WorkCalendar:
        """Build from settings: hours "HH:MM-HH:MM", weekdays as ISO digits (1 = Monday ... 7 =
        Sunday, commas and spaces ignored), an IANA zone, dates or ISO date strings."""
        m = _HOURS.match(hours or "")
        if not m:
            raise ValueError(f"working hours must look like 09:00-17:00, got {hours!r}")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"working hours must be valid times of day (00:00-23:59), got {hours!r}")
        start, end = time(h1, m1), time(h2, m2)
        if start >= end:
            raise ValueError(f"working hours must end after they start, got {hours!r}")

        digits = re.sub(r"[\s,]", "", weekdays or "")
        if not digits or not re.fullmatch(r"[1-7]+", digits):
            raise ValueError(f"working weekdays must be digits 1 (Monday) to 7 (Sunday), got {weekdays!r}")

        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai") from None

        return cls(
            tz=zone,
            start=start,
            end=end,
            weekdays=frozenset(int(c) - 1 for c in digits),
            holidays=_dates(holidays, "holiday"),
            workdays=_dates(workdays, "make-up working day"),
        )


def _dates(values: Iterable[date | str], what: str) -> frozenset[date]:
    out = set()
    for v in values:
        if isinstance(v, datetime):
            raise ValueError(f"{what} must be a date, not a datetime: {v.isoformat()}")
        if isinstance(v, date):
            out.add(v)
            continue
        try:
            out.add(date.fromisoformat(str(v).strip()))
        except ValueError:
            raise ValueError(f"{what} must be an ISO date such as 2026-10-01, got {v!r}") from None
    return frozenset(out)


# -- how far the calendar reaches ---------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """Whether the holidays are known for every day from `today` to `until`."""

    today: date
    until: date
    missing: tuple[int, ...] = ()  # years in the window nobody loaded
    estimated: tuple[int, ...] = ()  # years loaded without the official notice, not checked by anyone

    @property
    def complete(self) -> bool:
        return not self.missing and not self.estimated


def coverage(today: date, days: int, years: Mapping[int, bool]) -> Coverage:
    """`years`: each loaded year -> whether its days can be trusted (the official arrangement, or
    checked by an administrator). Looks `days` ahead of `today`."""
    if days < 0:
        raise ValueError(f"the look-ahead must not be negative, got {days}")
    until = today + timedelta(days=days)
    window = range(today.year, until.year + 1)
    return Coverage(
        today=today,
        until=until,
        missing=tuple(y for y in window if y not in years),
        estimated=tuple(y for y in window if y in years and not years[y]),
    )
