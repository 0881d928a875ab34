"""Reading approvals: each user's 待办 to-do, 进行中 in progress and 已办 done, the admin's list of
everything, and the counts in the navigation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from portal.approvals.flow import FINAL, RequestState, StepState
from portal.approvals.models import ApprovalRequest, ApprovalStep
from portal.approvals.services import delegators_of, local_day
from portal.auth.models import User
from portal.core.clock import utcnow
from portal.extensions import db

BOXES = ("todo", "in_progress", "done", "all")
FINAL_STATES = [s.value for s in FINAL]
DECIDED = [StepState.APPROVED.value, StepState.REJECTED.value, StepState.RETURNED.value]


def _deciders(user: User, now: datetime) -> list[int]:
    return [user.id, *delegators_of(user.id, local_day(now))]


def _pending_for(ids: list[int]):
    """Requests whose current step waits for one of these approvers."""
    return exists().where(
        ApprovalStep.request_id == ApprovalRequest.id,
        ApprovalStep.round == ApprovalRequest.round,
        ApprovalStep.state == StepState.PENDING.value,
        ApprovalStep.approver_id.in_(ids),
    )


def _todo(user: User, now: datetime):
    """Waiting for my decision (or a decision I make for an absent colleague), and my own
    requests returned for changes."""
    return or_(
        and_(
            ApprovalRequest.state == RequestState.IN_PROGRESS.value,
            ApprovalRequest.requester_id != user.id,
            _pending_for(_deciders(user, now)),
        ),
        and_(ApprovalRequest.requester_id == user.id, ApprovalRequest.state == RequestState.RETURNED.value),
    )


def _involved(user: User):
    """Mine, or one where I decided a step."""
    decided = exists().where(
        ApprovalStep.request_id == ApprovalRequest.id,
        ApprovalStep.approver_id == user.id,
        ApprovalStep.state.in_(DECIDED),
    )
    return or_(ApprovalRequest.requester_id == user.id, decided)


def condition(box: str, user: User, now: datetime | None = None):
    now = now or utcnow()
    if box == "todo":
        return _todo(user, now)
    if box == "in_progress":
        return and_(_involved(user), ApprovalRequest.state == RequestState.IN_PROGRESS.value)
    if box == "done":
        return and_(_involved(user), ApprovalRequest.state.in_(FINAL_STATES))
    return None  # all: admins only, checked by the view


def listing(
    box: str,
    user: User,
    page: int,
    per_page: int,
    *,
    template: str | None = None,
    state: str | None = None,
    now: datetime | None = None,
):
    stmt = select(ApprovalRequest)
    where = condition(box, user, now)
    if where is not None:
        stmt = stmt.where(where)
    if template:
        stmt = stmt.where(ApprovalRequest.template_key == template)
    if state:
        stmt = stmt.where(ApprovalRequest.state == state)
    if box == "todo":
        stmt = stmt.order_by(
            ApprovalRequest.fast_track.desc(),
            ApprovalRequest.due_at.is_(None),
            ApprovalRequest.due_at,
            ApprovalRequest.id,
        )
    else:
        stmt = stmt.order_by(ApprovalRequest.updated_at.desc(), ApprovalRequest.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def count(box: str, user: User, now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count(ApprovalRequest.id)).where(condition(box, user, now))) or 0


def counts_for(user: User, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    return {box: count(box, user, now) for box in ("todo", "in_progress")}
