"""The SLA clock of a ticket: the pure rules of sla.py fed from the configuration and the
calendar table; naive UTC (database) in and out, aware datetimes inside."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from portal.core import calendar_days
from portal.core.calendar import WorkCalendar
from portal.core.clock import aware, naive, utcnow
from portal.tickets import sla
from portal.tickets.models import Ticket


def calendar() -> WorkCalendar:
    """The working calendar: hours and weekdays from the configuration, exceptions from the table."""
    cfg = current_app.config
    return calendar_days.working_calendar(
        hours=str(cfg["TICKET_WORK_HOURS"]), weekdays=str(cfg["TICKET_WORK_DAYS"]), tz=cfg["BABEL_DEFAULT_TIMEZONE"]
    )


def policy() -> sla.SlaPolicy:
    return sla.SlaPolicy()


def pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    return [(aware(p.started_at), aware(p.ended_at)) for p in ticket.pauses]


def set_due_times(ticket: Ticket, cal: WorkCalendar | None = None) -> None:
    """(Re)compute both due times from creation, severity, complexity and pauses."""
    cal = cal or calendar()
    created = aware(ticket.created_at)
    ticket.first_response_due = naive(sla.first_response_due(created, sla.Severity(ticket.severity), cal, policy()))
    ticket.resolution_due = naive(
        sla.resolution_due(created, sla.Complexity(ticket.complexity), cal, pauses(ticket), policy())
    )


def response_risk(ticket: Ticket, now: datetime | None = None, cal: WorkCalendar | None = None) -> sla.Risk:
    cal = cal or calendar()
    return sla.risk(
        aware(now or utcnow()),
        aware(ticket.created_at),
        aware(ticket.first_response_due),
        done_at=aware(ticket.first_response_at),
        cal=cal,
        policy=policy(),
        working=ticket.severity != sla.Severity.URGENT,
    )


def resolution_risk(ticket: Ticket, now: datetime | None = None, cal: WorkCalendar | None = None) -> sla.Risk:
    cal = cal or calendar()
    if ticket.state == "closed" and ticket.resolved_at is None:
        return sla.Risk.MET  # closed without a solution (duplicate, withdrawn): no clock to miss
    if ticket.resolution_due is None:
        return sla.Risk.PAUSED
    return sla.risk(
        aware(now or utcnow()),
        aware(ticket.created_at),
        aware(ticket.resolution_due),
        done_at=aware(ticket.resolved_at),
        cal=cal,
        policy=policy(),
        working=True,
    )
