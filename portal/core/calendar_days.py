"""The working calendar's exceptions kept by administrators: holidays and make-up working days
(调休). Tickets (SLA clock) and approvals (due days) read the same table."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.calendar import WorkCalendar
from portal.core.errors import InvalidInput
from portal.core.uow import unit_of_work
from portal.extensions import db

KINDS = ("holiday", "workday")
NAME_MAX = 60


class CalendarDay(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy builds db.Model at run time
    """An exception to the working week: a holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str] = mapped_column(String(60), default="")


def exceptions() -> tuple[list[date], list[date]]:
    """(holidays, make-up working days) from the table."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
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
    """Record a holiday or make-up working day (replacing what that day was)."""
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
        row.kind, row.name = kind, (name or "").strip()[:NAME_MAX]
        db.session.add(row)
    return row


def remove_day(raw_day: str | None) -> bool:
    """Forget a day's exception; False when there was none."""
    day = parse_day(raw_day)
    with unit_of_work():
        row = db.session.get(CalendarDay, day) if day else None
        if row is None:
            return False
        db.session.delete(row)
    return True
