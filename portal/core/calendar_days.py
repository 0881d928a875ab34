"""The working calendar's exceptions: holidays and make-up working days (调休), loaded year by
year from the `holidays` package (holiday_source.py) and kept by administrators, whose own
entries always win over the package. Tickets (SLA clock) and approvals (due days) read the same
table; `calendar_years` says which years were loaded, from what, and whether they can be trusted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import holiday_source
from portal.core.calendar import Coverage, WorkCalendar, coverage
from portal.core.clock import utcnow
from portal.core.errors import InvalidInput
from portal.core.uow import unit_of_work
from portal.extensions import db

KINDS = ("holiday", "workday")
ORDINARY = "ordinary"  # an administrator took the package's holiday or 调休 day away: the weekday rule holds
ADMIN = "admin"  # the source of an administrator's entry
NAME_MAX = 60


class CalendarDay(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy builds db.Model at run time
    """An exception to the working week: a holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday | ordinary
    name: Mapped[str] = mapped_column(String(60), default="")
    # "admin", or the package and version that wrote it ("holidays 0.109"): a sync rewrites only its own
    source: Mapped[str] = mapped_column(String(40), default=ADMIN, server_default=ADMIN)

    @property
    def by_admin(self) -> bool:
        return self.source == ADMIN


class CalendarYear(db.Model):  # type: ignore[name-defined]
    """A year loaded from the package: the calendar covers it."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(40))
    official: Mapped[bool] = mapped_column(default=False)  # the State Council's notice, 调休 included
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    # an estimated year an administrator compared with the notice (and completed by hand)
    checked_at: Mapped[datetime | None] = mapped_column()
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def trusted(self) -> bool:
        return self.official or self.checked_at is not None


def exceptions() -> tuple[list[date], list[date]]:
    """(holidays, make-up working days) from the table."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()  # "ordinary" is neither
    return [d for d, kind in rows if kind == "holiday"], [d for d, kind in rows if kind == "workday"]


def working_calendar(*, hours: str, weekdays: str, tz: str) -> WorkCalendar:
    """The configured working week with the table's holidays and make-up days."""
    holidays, workdays = exceptions()
    return WorkCalendar.from_config(hours=hours, weekdays=weekdays, tz=tz, holidays=holidays, workdays=workdays)


def all_days() -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).order_by(CalendarDay.day)))


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def set_day(raw_day: str | None, kind: str | None, name: str = "") -> CalendarDay:
    """Record an administrator's holiday or make-up working day (replacing what that day was,
    the package's entry too: no later sync changes it)."""
    day = parse_day(raw_day)
    errors = {}
    if day is None:
        errors["day"] = _("Enter the day as YYYY-MM-DD.")
    if kind is None or kind not in KINDS:
        errors["kind"] = _("Choose holiday or make-up working day.")
    if errors or kind is None:
        raise InvalidInput(errors)
    with unit_of_work():
        row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
        row.kind, row.name, row.source = kind, (name or "").strip()[:NAME_MAX], ADMIN
        db.session.add(row)
    return row


def remove_day(raw_day: str | None) -> bool:
    """Take a day's exception away; False when there was none. The package's entry stays away
    (an administrator's "ordinary day" keeps later syncs from bringing it back); removing an
    administrator's entry of a loaded year brings back what the package says of the day."""
    day = parse_day(raw_day)
    with unit_of_work():
        row = db.session.get(CalendarDay, day) if day else None
        if row is None:
            return False
        if not row.by_admin:
            row.kind, row.source = ORDINARY, ADMIN
            return True
        db.session.delete(row)
        loaded = db.session.get(CalendarYear, row.day.year)
        if loaded is not None:
            db.session.flush()
            planned = next((p for p in holiday_source.china_year(row.day.year).days if p.day == row.day), None)
            if planned is not None:
                db.session.add(CalendarDay(day=planned.day, kind=planned.kind, name=planned.name, source=loaded.source))
    return True


# -- loading years from the package ------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    year: int
    source: str
    official: bool
    added: int = 0
    changed: int = 0
    removed: int = 0
    kept: int = 0  # days the package has where an administrator's entry stands


Planner = Callable[[int], holiday_source.YearPlan]


def sync_year(year: int, *, plan: Planner = holiday_source.china_year, now: datetime | None = None) -> SyncResult:
    """Load one year from the package: add its days, correct the ones it wrote before, drop the
    ones it no longer has; never touch an administrator's entry. Running it again changes
    nothing. `plan` is the source (the holidays package; tests pass their own)."""
    if not holiday_source.FIRST_YEAR <= year <= holiday_source.LAST_YEAR:
        raise InvalidInput(
            {
                "year": _(
                    "Choose a year from %(first)d to %(last)d.",
                    first=holiday_source.FIRST_YEAR,
                    last=holiday_source.LAST_YEAR,
                )
            }
        )
    wanted = plan(year)
    counts = {"added": 0, "changed": 0, "removed": 0, "kept": 0}
    with unit_of_work():
        stored = {
            r.day: r
            for r in db.session.scalars(
                select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            )
        }
        planned = {p.day: p for p in wanted.days}
        for day, p in planned.items():
            row = stored.get(day)
            if row is None:
                db.session.add(CalendarDay(day=day, kind=p.kind, name=p.name[:NAME_MAX], source=wanted.source))
                counts["added"] += 1
            elif row.by_admin:
                counts["kept"] += 1
            else:
                if (row.kind, row.name) != (p.kind, p.name[:NAME_MAX]):
                    counts["changed"] += 1
                row.kind, row.name, row.source = p.kind, p.name[:NAME_MAX], wanted.source
        for day, row in stored.items():
            if day not in planned and not row.by_admin:
                db.session.delete(row)
                counts["removed"] += 1
        loaded = db.session.get(CalendarYear, year) or CalendarYear(year=year)
        if counts["added"] or counts["changed"] or counts["removed"]:
            loaded.checked_at, loaded.checked_by_id = None, None  # what was checked is no longer there
        loaded.source, loaded.official, loaded.synced_at = wanted.source, wanted.official, now or utcnow()
        db.session.add(loaded)
    return SyncResult(year=year, source=wanted.source, official=wanted.official, **counts)


def check_year(year: int, by_id: int, *, now: datetime | None = None) -> CalendarYear:
    """An administrator compared an estimated year with the State Council's notice and entered
    what it adds (its 调休 working days): the year is trusted from now on."""
    with unit_of_work():
        loaded = db.session.get(CalendarYear, year)
        if loaded is None:
            raise InvalidInput({"year": _("Load %(year)d from the holidays package first.", year=year)})
        loaded.checked_at, loaded.checked_by_id = now or utcnow(), by_id
    return loaded


def loaded_years() -> list[CalendarYear]:
    return list(db.session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def local_today(tz: str, now: datetime | None = None) -> date:
    return (now or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz)).date()


def reach(today: date, days: int) -> Coverage:
    """Whether the loaded years cover the next `days` days (PORTAL_CALENDAR_LOOKAHEAD_DAYS)."""
    return coverage(today, days, {y.year: y.trusted for y in loaded_years()})
