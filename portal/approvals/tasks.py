"""Approval reminders as a job: before a step is due its approver gets a reminder, at the due
time the step is marked overdue and both the approver and the requester are told (in red)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.approvals import services
from portal.approvals.flow import StepState
from portal.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalStep
from portal.core.clock import utcnow
from portal.core.jobs import crontab, periodic_job
from portal.extensions import db
from portal.notify.services import notify

log = logging.getLogger(__name__)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass over pending steps; safe to run as often as wanted (each reminder is sent once)."""
    now = now or utcnow()
    before = timedelta(hours=float(current_app.config["APPROVAL_REMIND_BEFORE_HOURS"]))
    counts = {"reminded": 0, "overdue": 0}
    steps = db.session.scalars(
        select(ApprovalStep)
        .join(ApprovalRequest)
        .where(
            ApprovalStep.state == StepState.PENDING.value,
            ApprovalStep.round == ApprovalRequest.round,
            ApprovalRequest.state == "in_progress",
            ApprovalStep.due_at.is_not(None),
            ApprovalStep.due_at <= now + before,
            ApprovalStep.overdue.is_(False),
        )
        .order_by(ApprovalStep.due_at)
    )
    for step in list(steps):
        req = step.request
        link, label = services.link(req), services.label(req)
        if step.due_at <= now:
            step.overdue = True
            step.reminded = True
            notify(step.approver_id, "approval_overdue", label, link, important=True, now=now)
            notify(req.requester_id, "approval_overdue", label, link, now=now)
            req.events.append(
                ApprovalEvent(
                    kind="overdue", step_id=step.id, created_at=now, data={"approver": step.approver.username}
                )
            )
            counts["overdue"] += 1
        elif not step.reminded:
            step.reminded = True
            notify(step.approver_id, "approval_due_soon", label, link, now=now)
            req.events.append(
                ApprovalEvent(
                    kind="reminder", step_id=step.id, created_at=now, data={"approver": step.approver.username}
                )
            )
            counts["reminded"] += 1
    db.session.commit()
    return counts


@periodic_job(crontab(minute="*"))
def approval_sweep() -> None:
    counts = sweep()
    if any(counts.values()):
        log.info("approval sweep: %s", counts)
