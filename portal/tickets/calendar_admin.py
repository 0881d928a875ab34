"""Administering the working calendar (the page, `portal calendar`, the yearly and nightly jobs):
each change recorded in the audit trail, and administrators told once when the holidays run out.
The table and its rules are on the shared floor (portal.core.calendar_days)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User, UserRole
from portal.core import calendar_days
from portal.core.calendar import Coverage
from portal.core.calendar_days import CalendarDay, SyncResult
from portal.core.clock import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify.services import notify, sent_before

NOTICE = "calendar_coverage"
PAGE = "/tickets/calendar"


def _day_facts(day) -> dict | None:
    row = db.session.get(CalendarDay, calendar_days.parse_day(day)) if calendar_days.parse_day(day) else None
    return None if row is None else {"kind": row.kind, "name": row.name, "source": row.source}


def set_day(by: User | None, raw_day: str | None, kind: str | None, name: str = "") -> CalendarDay:
    with unit_of_work():
        before = _day_facts(raw_day)
        row = calendar_days.set_day(raw_day, kind, name)
        after = {"kind": row.kind, "name": row.name, "source": row.source}
        record("calendar_day_set", actor=by, target=f"calendar:{row.day.isoformat()}", before=before, after=after)
    return row


def remove_day(by: User | None, raw_day: str | None) -> bool:
    with unit_of_work():
        before = _day_facts(raw_day)
        if not calendar_days.remove_day(raw_day):
            return False
        day = calendar_days.parse_day(raw_day)
        assert day is not None  # a day was removed
        after = _day_facts(raw_day)
        record("calendar_day_removed", actor=by, target=f"calendar:{day.isoformat()}", before=before, after=after)
    return True


def sync_year(by: User | None, year: int, *, now: datetime | None = None) -> SyncResult:
    """Load (or load again) a year from the holidays package; `by` None: a command or a job."""
    with unit_of_work():
        result = calendar_days.sync_year(year, now=now)
        record(
            "calendar_synced",
            actor=by,
            target=f"calendar:{year}",
            detail={
                "source": result.source,
                "official": result.official,
                "added": result.added,
                "changed": result.changed,
                "removed": result.removed,
                "kept": result.kept,
            },
            now=now,
        )
    return result


def check_year(by: User, year: int) -> None:
    with unit_of_work():
        calendar_days.check_year(year, by.id)
        record("calendar_year_checked", actor=by, target=f"calendar:{year}")


def this_and_next_year(now: datetime | None = None) -> list[int]:
    today = calendar_days.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"], now)
    return [today.year, today.year + 1]


def reach(now: datetime | None = None) -> Coverage:
    """How far the loaded years reach compared with the next PORTAL_CALENDAR_LOOKAHEAD_DAYS days."""
    cfg = current_app.config
    today = calendar_days.local_today(cfg["BABEL_DEFAULT_TIMEZONE"], now)
    return calendar_days.reach(today, int(cfg["CALENDAR_LOOKAHEAD_DAYS"]))


def problems(cov: Coverage) -> list[tuple[str, str, int]]:
    """(anchor, kind, year) for each year of the window the calendar lacks ("missing") or only
    estimates ("estimated"); the page explains each, the notification names it."""
    gaps = (("missing", cov.missing), ("estimated", cov.estimated))
    return [(f"{kind}-{y}", kind, y) for kind, years in gaps for y in years]


def _title(kind: str, year: int) -> str:
    if kind == "missing":
        return _("The working calendar has no holidays for %(year)d: load them before due times go wrong.", year=year)
    return _("The holidays of %(year)d are only estimated (no 调休 working days yet): check them.", year=year)


def warn_admins(now: datetime | None = None) -> int:
    """The nightly check: every active administrator hears of each gap once, in the portal.
    Returns how many notifications were sent."""
    now = now or utcnow()
    found = problems(reach(now))
    if not found:
        return 0
    sent = 0
    with unit_of_work():
        admins = db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "admin", User.active.is_(True))
        )
        for admin in admins:
            for anchor, kind, year in found:
                url = f"{PAGE}#{anchor}"
                if not sent_before(admin.id, NOTICE, url):
                    notify(admin.id, NOTICE, _title(kind, year), url, important=True, now=now)
                    sent += 1
    return sent
