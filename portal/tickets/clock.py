"""The SLA clock of a ticket: the pure rules of sla.py fed from the configuration and the
calendar table; naive UTC (database) in and out, aware datetimes inside."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select

from portal.auth.models import utcnow
from portal.extensions import db
from portal.tickets import sla
from portal.tickets.calendar import WorkCalendar
from portal.tickets.models import CalendarDay, Ticket


def aware(t: datetime | None) -> datetime | None:
    return None if t is None else t.replace(tzinfo=timezone.utc)


def naive(t: datetime | None) -> datetime | None:
    return None if t is None else t.astimezone(timezone.utc).replace(tzinfo=None)


def calendar() -> WorkCalendar:
    """The working calendar: hours and weekdays from the configuration, exceptions from the table."""
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    cfg = current_app.config
    return WorkCalendar.from_config(
        hours=str(cfg["TICKET_WORK_HOURS"]), weekdays=str(cfg["TICKET_WORK_DAYS"]),
        tz=cfg["BABEL_DEFAULT_TIMEZONE"],
        holidays=[d for d, kind in rows if kind == "holiday"],
        workdays=[d for d, kind in rows if kind == "workday"])


def policy() -> sla.SlaPolicy:
    return sla.SlaPolicy()


def pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    return [(aware(p.started_at), aware(p.ended_at)) for p in ticket.pauses]


def set_due_times(ticket: Ticket, cal: WorkCalendar | None = None) -> None:
    """(Re)compute both due times from creation, severity, complexity and pauses."""
    cal = cal or calendar()
    created = aware(ticket.created_at)
    ticket.first_response_due = naive(sla.first_response_due(created, sla.Severity(ticket.severity), cal, policy()))
    ticket.resolution_due = naive(sla.resolution_due(created, sla.Complexity(ticket.complexity), cal,
                                                     pauses(ticket), policy()))


def response_risk(ticket: Ticket, now: datetime | None = None, cal: WorkCalendar | None = None) -> sla.Risk:
    cal = cal or calendar()
    return sla.risk(aware(now or utcnow()), aware(ticket.created_at), aware(ticket.first_response_due),
                    done_at=aware(ticket.first_response_at), cal=cal, policy=policy(),
                    working=ticket.severity != sla.Severity.URGENT)


def resolution_risk(ticket: Ticket, now: datetime | None = None, cal: WorkCalendar | None = None) -> sla.Risk:
    cal = cal or calendar()
    if ticket.state == "closed" and ticket.resolved_at is None:
        return sla.Risk.MET   # closed without a solution (duplicate, withdrawn): no clock to miss
    if ticket.resolution_due is None:
        return sla.Risk.PAUSED
    return sla.risk(aware(now or utcnow()), aware(ticket.created_at), aware(ticket.resolution_due),
                    done_at=aware(ticket.resolved_at), cal=cal, policy=policy(), working=True)
