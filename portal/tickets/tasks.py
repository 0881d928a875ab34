"""Ticket jobs in the queue, never inside a request: assignment after filing, escalation to a
senior engineer, the SLA sweep every minute, and the working calendar's yearly load and nightly
check. They only schedule and call the services; the rules are in assignment.py, sla.py and
states.py (and portal.core's calendar modules)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from portal.core.errors import Conflict
from portal.core.jobs import crontab, job, periodic_job
from portal.tickets import calendar_admin, services

log = logging.getLogger(__name__)


def _when(at: str | None) -> datetime | None:
    """`at`: the caller's clock when it runs on a given one (demo data, tests); None: now."""
    return datetime.fromisoformat(at) if at else None


def _twice(work: Callable[..., bool], ticket_id: int, *args, **kwargs) -> bool:
    """Someone changed the ticket while the job worked on it: once more on a fresh load (the
    unit of work rolled back, so the ticket is read again). A second conflict is left to the
    queue's own retries."""
    try:
        return work(ticket_id, *args, **kwargs)
    except Conflict:
        log.warning("ticket %s changed while %s ran; trying once more", ticket_id, work.__name__)
    return work(ticket_id, *args, **kwargs)


@job("tickets.assign", retries=2, retry_delay=1)
def assign_ticket(ticket_id: int, at: str | None = None) -> None:
    _twice(services.assign_new, ticket_id, now=_when(at))


@job("tickets.escalate", retries=2, retry_delay=1)
def escalate_ticket(ticket_id: int, reason: str, at: str | None = None) -> None:
    _twice(services.escalate, ticket_id, reason, now=_when(at))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One SLA pass now (or as of `now`): what the periodic job runs."""
    return services.sweep(now)


@periodic_job(crontab(minute="*"))
def sla_sweep() -> None:
    counts = sweep()
    if any(counts.values()):
        log.info("SLA sweep: %s", counts)


@periodic_job(crontab(month="12", day="1", hour="1", minute="30"))  # 1 December, 09:30 in Shanghai
def load_next_year() -> list[str]:
    """Once a year: load this year again (the package may know more now) and the next one."""
    done = [calendar_admin.sync_year(None, year) for year in calendar_admin.this_and_next_year()]
    for r in done:
        log.info("calendar %s from %s: +%d ~%d -%d", r.year, r.source, r.added, r.changed, r.removed)
    return [f"{r.year}" for r in done]


@periodic_job(crontab(hour="17", minute="50"))  # 01:50 in Shanghai
def check_calendar() -> int:
    """Every night: administrators hear once of a year the next days need and the calendar lacks."""
    return calendar_admin.warn_admins()
