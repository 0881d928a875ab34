"""Ticket rules that run as jobs in the queue, never inside a request: assignment, escalation,
and the SLA sweep (warnings, breaches, escalation of breaches, auto-close of resolved tickets)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.models import User, UserRole
from portal.core.clock import utcnow
from portal.core.jobs import crontab, job, periodic_job
from portal.extensions import db
from portal.notify.services import notify
from portal.tickets import assignment, clock, services
from portal.tickets.models import Ticket, TicketEvent
from portal.tickets.sla import Complexity, Risk
from portal.tickets.states import OPEN_STATES, Action, State

log = logging.getLogger(__name__)


def candidates(senior: bool) -> list[assignment.Candidate]:
    """Active engineers with their open load and when each last received a ticket."""
    role = "senior_engineer" if senior else "engineer"
    users = db.session.execute(
        select(User.id, User.region_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
    ).all()
    load = dict(
        db.session.execute(
            select(Ticket.assignee_id, func.count(Ticket.id))
            .where(Ticket.state.in_([str(s) for s in OPEN_STATES]))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    last = dict(
        db.session.execute(
            select(TicketEvent.target_id, func.max(TicketEvent.created_at))
            .where(TicketEvent.kind == "assign")
            .group_by(TicketEvent.target_id)
        ).all()
    )
    return [
        assignment.Candidate(
            user_id=uid, region_id=rid, open_load=load.get(uid, 0), last_assigned=last.get(uid), senior=senior
        )
        for uid, rid in users
    ]


def auto_assign(ticket: Ticket, *, senior: bool = False, reason: str = "", now: datetime | None = None) -> bool:
    chosen = assignment.pick_assignee(candidates(senior), ticket.region_id, senior=senior)
    if chosen is None:
        log.warning("no %sengineer to assign ticket %s", "senior " if senior else "", ticket.id)
        return False
    if senior:
        ticket.escalated = True
        services._event(
            ticket,
            "escalate",
            None,
            internal=True,
            now=now,
            data={"reason": reason},
            target=db.session.get(User, chosen),
        )
    services.assign(ticket, db.session.get(User, chosen), None, now=now, note=reason)
    return True


@job(retries=2, retry_delay=1)
def assign_ticket(ticket_id: int, at: str | None = None) -> None:
    """`at`: the filing time when the caller runs on a given clock (demo data, tests)."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.assignee_id is not None or State(ticket.state) not in OPEN_STATES:
        return
    try:
        auto_assign(ticket, now=datetime.fromisoformat(at) if at else None)
    except (services.Conflict, StaleDataError):
        db.session.rollback()  # someone assigned it by hand meanwhile: theirs stands


@job(retries=2, retry_delay=1)
def escalate_ticket(ticket_id: int, reason: str, at: str | None = None) -> None:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.escalated or State(ticket.state) not in OPEN_STATES:
        return
    try:
        auto_assign(ticket, senior=True, reason=reason, now=datetime.fromisoformat(at) if at else None)
    except (services.Conflict, StaleDataError):
        db.session.rollback()


def _tell_assignee(ticket: Ticket, kind: str, now: datetime) -> None:
    """The engineer on the ticket hears of a coming or missed SLA due time in the portal."""
    if ticket.assignee_id is not None:
        notify(
            ticket.assignee_id,
            kind,
            f"{ticket.number} · {ticket.title}",
            f"/tickets/{ticket.id}",
            important=kind == "ticket_sla_breach",
            now=now,
        )


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass over open and resolved tickets; safe to run as often as wanted."""
    now = now or utcnow()
    cal = clock.calendar()
    counts = {"warned": 0, "breached": 0, "escalated": 0, "closed": 0}
    open_ids = list(db.session.scalars(select(Ticket.id).where(Ticket.state.in_([str(s) for s in OPEN_STATES]))))
    for ticket_id in open_ids:
        ticket = db.session.get(Ticket, ticket_id)
        changed = False
        for kind, risk in (
            ("response", clock.response_risk(ticket, now, cal)),
            ("resolution", clock.resolution_risk(ticket, now, cal)),
        ):
            if risk == Risk.WARNING and not getattr(ticket, f"{kind}_warned"):
                setattr(ticket, f"{kind}_warned", True)
                services._event(ticket, "sla_warning", None, internal=True, data={"clock": kind}, now=now)
                _tell_assignee(ticket, "ticket_sla_warning", now)
                counts["warned"] += 1
                changed = True
            elif risk == Risk.BREACHED and not getattr(ticket, f"{kind}_breached"):
                setattr(ticket, f"{kind}_breached", True)
                services._event(ticket, "sla_breach", None, internal=True, data={"clock": kind}, now=now)
                _tell_assignee(ticket, "ticket_sla_breach", now)
                counts["breached"] += 1
                changed = True
        escalate = (
            ticket.response_breached or ticket.resolution_breached or ticket.complexity == Complexity.COMPLEX
        ) and not ticket.escalated
        try:
            if changed:
                services._commit(ticket)
            if escalate:
                reason = "complex" if ticket.complexity == Complexity.COMPLEX else "breach"
                if auto_assign(ticket, senior=True, reason=reason, now=now):
                    counts["escalated"] += 1
        except (services.Conflict, StaleDataError):
            db.session.rollback()
    hours = float(current_app.config["TICKET_AUTO_CLOSE_HOURS"])
    cutoff = now - timedelta(hours=hours)
    stale = list(
        db.session.scalars(select(Ticket.id).where(Ticket.state == State.RESOLVED.value, Ticket.resolved_at <= cutoff))
    )
    for ticket_id in stale:
        try:
            services.change_state(db.session.get(Ticket, ticket_id), None, Action.AUTO_CLOSE, now=now, body="")
            counts["closed"] += 1
        except (services.Conflict, StaleDataError):
            db.session.rollback()
    return counts


@periodic_job(crontab(minute="*"))
def sla_sweep() -> None:
    counts = sweep()
    if any(counts.values()):
        log.info("SLA sweep: %s", counts)
