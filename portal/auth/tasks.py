"""Account jobs: the daily password-expiry reminder."""

from __future__ import annotations

from portal.auth import recovery
from portal.core.jobs import crontab, periodic_job


@periodic_job(crontab(minute="5", hour="1"))  # 09:05 in Shanghai: read at the start of the day
def remind_expiring_passwords() -> int:
    return recovery.send_expiry_reminders()
