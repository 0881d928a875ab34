"""Approval reminders as a periodic job: it only schedules; services.send_reminders does the work
in its own unit of work."""

from __future__ import annotations

import logging
from datetime import datetime

from portal.approvals import services
from portal.core.clock import utcnow
from portal.core.jobs import crontab, periodic_job

log = logging.getLogger(__name__)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass of reminders and overdue marks as of `now` (tests and the demo replay a clock)."""
    return services.send_reminders(now or utcnow())


@periodic_job(crontab(minute="*"))
def approval_sweep() -> None:
    counts = sweep()
    if any(counts.values()):
        log.info("approval sweep: %s", counts)
