"""The quiz sweep: attempts whose time ran out are handed in (or refused) by the server even
when the trainee closed the browser."""

from __future__ import annotations

import logging

from portal.core.jobs import crontab, periodic_job
from portal.quiz import services

log = logging.getLogger(__name__)


@periodic_job(crontab(minute="*"))
def quiz_sweep() -> None:
    if closed := services.close_expired():
        log.info("quiz sweep: %d attempt(s) closed at their time limit", closed)
