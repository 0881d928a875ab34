"""The SLA clock of a ticket: the pure rules of sla.py fed from the configuration and the
calendar table; naive UTC (database) in and out, aware datetimes inside."""

from __future__ import annotations

from datetime import datetime, timedelta

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
    """The tiers' targets from the configuration (PORTAL_TICKET_STANDARD_* and *_RESOLUTION_DAYS)."""
    cfg = current_app.config
    return sla.SlaPolicy(
        standard_response=timedelta(minutes=float(cfg["TICKET_STANDARD_RESPONSE_MINUTES"])),
        standard_resolution=timedelta(hours=float(cfg["TICKET_STANDARD_RESOLUTION_HOURS"])),
        simple_resolution_days=int(cfg["TICKET_SIMPLE_RESOLUTION_DAYS"]),
        complex_resolution_days=int(cfg["TICKET_COMPLEX_RESOLUTION_DAYS"]),
    )


def default_tier() -> sla.Tier:
    """The tier of a new ticket until the support desk chooses one (PORTAL_TICKET_DEFAULT_TIER)."""
    raw = str(current_app.config["TICKET_DEFAULT_TIER"])
    if raw not in tuple(sla.Tier):
        raise ValueError(f"PORTAL_TICKET_DEFAULT_TIER must be one of {', '.join(sla.Tier)}, got {raw!r}")
    return sla.Tier(raw)


def pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    return [(aware(p.started_at), aware(p.ended_at)) for p in ticket.pauses]


def set_due_times(ticket: Ticket, cal: WorkCalendar | None = None) -> None:
    """(Re)compute both due times from creation, severity, tier and pauses."""
    cal = cal or calendar()
    created, rules, tier = aware(ticket.created_at), policy(), sla.Tier(ticket.complexity)
    ticket.first_response_due = naive(sla.first_response_due(created, sla.Severity(ticket.severity), cal, rules, tier))
    ticket.resolution_due = naive(sla.resolution_due(created, tier, cal, pauses(ticket), rules))


RUNNING = frozenset({"pending", "in_progress", "reopened"})  # open and not waiting for the requester


def outlook(ticket: Ticket, now: datetime | None = None) -> sla.Outlook:
    """What the requester is told to expect (sla.outlook); times stay naive UTC for the templates."""
    seen = sla.outlook(
        aware(now or utcnow()),
        running=ticket.state in RUNNING,
        due=aware(ticket.resolution_due),
        revised=aware(ticket.expected_at),
        response_due=aware(ticket.first_response_due),
        responded=ticket.first_response_at is not None,
    )
    return sla.Outlook(seen.promise, naive(seen.at), seen.response_late)


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
