"""China's public holidays and make-up working days (调休) from the `holidays` package, as plain
values: each break as the State Council announces it (the weekend days inside it included, since
the service desk works 7 days a week), and the weekend days worked instead. No database, no Flask."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version

import holidays
from holidays.countries.china import ChinaStaticHolidays

FIRST_YEAR, LAST_YEAR = 2000, 2100  # what `portal calendar sync --year` accepts
_DAY = timedelta(days=1)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # in "休息日（由 2026-01-04 调休）": the day worked instead
_SUFFIX = re.compile(r"（[^）]*）$")  # "（补假）", "（推定）": the festival's name is what is before


@dataclass(frozen=True)
class PlannedDay:
    day: date
    kind: str  # holiday | workday (the kinds of portal.core.calendar_days)
    name: str


@dataclass(frozen=True)
class YearPlan:
    year: int
    source: str  # "holidays 0.109": recorded on every row it writes
    official: bool  # the package carries the State Council's notice for the year, 调休 included
    days: tuple[PlannedDay, ...]

    def holidays(self) -> list[date]:
        return [d.day for d in self.days if d.kind == "holiday"]

    def workdays(self) -> list[date]:
        return [d.day for d in self.days if d.kind == "workday"]


def source_name() -> str:
    return f"holidays {version('holidays')}"


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}, got {year}")
    return year


def has_notice(year: int) -> bool:
    """Whether the package knows the State Council's arrangement for the year. Without it the
    package only applies the statutory rules (the festivals, a weekend holiday moved to the next
    weekday): its days are an estimate and it has no 调休 working days at all."""
    return year in getattr(ChinaStaticHolidays, "special_public_holidays", {})


def china_year(year: int) -> YearPlan:
    """The holidays and make-up working days of `year` on the mainland."""
    check_year(year)
    # the neighbouring years too: a break may begin in December or end in January
    cn = holidays.China(years=range(year - 1, year + 2), language="zh_CN")
    named = {d: str(n) for d, n in cn.items()}
    workdays = {d for d in cn.weekend_workdays if year - 1 <= d.year <= year + 1}

    def off(d: date) -> bool:
        return d in named or (d.weekday() in cn.weekend and d not in workdays)

    breaks: list[tuple[date, date]] = []
    for d in sorted(named):
        if breaks and d <= breaks[-1][1]:
            continue
        start, end = d, d
        while off(start - _DAY):
            start -= _DAY
        while off(end + _DAY):
            end += _DAY
        breaks.append((start, end))

    names = {b: _festival([named[d] for d in _days(*b) if d in named]) for b in breaks}
    days: list[PlannedDay] = []
    for b in breaks:
        days += [PlannedDay(d, "holiday", names[b]) for d in _days(*b) if d.year == year]
    paid_by = {w: d for d, n in named.items() for w in map(date.fromisoformat, _ISO_DAY.findall(n))}
    for w in sorted(w for w in workdays if w.year == year):
        owner = _break_of(paid_by.get(w), breaks) or min(breaks, key=lambda b: _distance(w, b))
        days.append(PlannedDay(w, "workday", f"{names[owner]}调休"))
    days.sort(key=lambda p: p.day)
    return YearPlan(year=year, source=source_name(), official=has_notice(year), days=tuple(days))


def _days(start: date, end: date) -> list[date]:
    return [start + _DAY * i for i in range((end - start).days + 1)]


def _festival(labels: list[str]) -> str:
    """The break's name: its most frequent festival (国庆节 over a 中秋节 inside it), the first on a tie."""
    bases = [_SUFFIX.sub("", n) for n in labels if not _ISO_DAY.search(n)]
    return Counter(bases).most_common(1)[0][0] if bases else (labels[0] if labels else "")


def _break_of(d: date | None, breaks: list[tuple[date, date]]) -> tuple[date, date] | None:
    return next((b for b in breaks if d is not None and b[0] <= d <= b[1]), None)


def _distance(d: date, b: tuple[date, date]) -> int:
    return min(abs((d - b[0]).days), abs((d - b[1]).days))
