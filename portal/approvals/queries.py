"""Reading approvals: each user's 待办 to-do, 进行中 in progress and 已办 done, the admin's list of
everything, the counts in the navigation, who may see or decide a request, and delegations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select

from portal.approvals import access
from portal.approvals.config import local_day
from portal.approvals.flow import FINAL, RequestState, StepState
from portal.approvals.models import ApprovalRequest, ApprovalStep, Delegation
from portal.auth.models import Department, User
from portal.core.clock import utcnow
from portal.extensions import db

BOXES = ("todo", "in_progress", "done", "all")
FINAL_STATES = [s.value for s in FINAL]
DECIDED = [StepState.APPROVED.value, StepState.REJECTED.value, StepState.RETURNED.value]


def delegators_of(user_id: int, day: date) -> set[int]:
    """The absent approvers this user stands in for on this day."""
    return set(
        db.session.scalars(
            select(Delegation.approver_id).where(
                Delegation.delegate_id == user_id,
                Delegation.revoked.is_(False),
                Delegation.starts <= day,
                Delegation.ends >= day,
            )
        )
    )


def current_steps(req: ApprovalRequest) -> list[ApprovalStep]:
    """The steps of the request's current round, in route order."""
    return sorted(req.current_steps, key=lambda s: s.position)


def pending_step(req: ApprovalRequest) -> ApprovalStep | None:
    return next((s for s in current_steps(req) if s.state == StepState.PENDING), None)


def participants(req: ApprovalRequest) -> set[int]:
    ids = {s.approver_id for s in req.steps} | {s.acting_for_id for s in req.steps if s.acting_for_id}
    ids |= {e.actor_id for e in req.events if e.kind in ("approve", "reject", "return") and e.actor_id}
    return ids


def can_view(req: ApprovalRequest, user: User, now: datetime | None = None) -> bool:
    if access.can_view(user.id, user.roles, req.requester_id, participants(req)):
        return True
    step = pending_step(req)  # standing in for an absent approver today
    return step is not None and step.approver_id in delegators_of(user.id, local_day(now or utcnow()))


def may_decide(req: ApprovalRequest, user: User, now: datetime | None = None) -> bool:
    step = pending_step(req)
    if req.state != RequestState.IN_PROGRESS or step is None:
        return False
    return access.may_decide(
        user.id, req.requester_id, step.approver_id, delegators_of(user.id, local_day(now or utcnow()))
    )


def visible_request(request_id: int, user: User) -> ApprovalRequest | None:
    """The request if this user may see it; None otherwise (so a typed number reveals nothing)."""
    req = db.session.get(ApprovalRequest, request_id)
    return req if req is not None and can_view(req, user) else None


def my_delegations(user: User) -> list[Delegation]:
    return list(
        db.session.scalars(
            select(Delegation)
            .where(or_(Delegation.approver_id == user.id, Delegation.delegate_id == user.id))
            .order_by(Delegation.revoked, Delegation.starts.desc())
        )
    )


def delegation(delegation_id: int, user: User) -> Delegation | None:
    """A delegation this user may revoke (their own; an administrator: any)."""
    d = db.session.get(Delegation, delegation_id)
    if d is None or (d.approver_id != user.id and not access.is_admin(user.roles)):
        return None
    return d


def held_steps(user_id: int) -> list[ApprovalStep]:
    """The steps still ahead of this person (waiting or pending, in the current round of requests
    in progress): what a successor takes over when they leave."""
    return list(
        db.session.scalars(
            select(ApprovalStep)
            .join(ApprovalRequest, ApprovalRequest.id == ApprovalStep.request_id)
            .where(
                ApprovalStep.approver_id == user_id,
                ApprovalStep.state.in_([StepState.WAITING.value, StepState.PENDING.value]),
                ApprovalStep.round == ApprovalRequest.round,
                ApprovalRequest.state == RequestState.IN_PROGRESS.value,
            )
            .order_by(ApprovalStep.request_id, ApprovalStep.position)
        )
    )


def open_delegations(user_id: int, day: date) -> tuple[list[Delegation], list[Delegation]]:
    """(given, received): this person's delegations not revoked and not over by `day`."""
    rows = list(
        db.session.scalars(
            select(Delegation)
            .where(
                or_(Delegation.approver_id == user_id, Delegation.delegate_id == user_id),
                Delegation.revoked.is_(False),
                Delegation.ends >= day,
            )
            .order_by(Delegation.starts, Delegation.id)
        )
    )
    return [d for d in rows if d.approver_id == user_id], [d for d in rows if d.delegate_id == user_id]


def stand_ins(user: User) -> list[User]:
    """Colleagues who can stand in for this approver (active, not staff)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.id != user.id, User.position != "staff")
            .order_by(User.department_id, User.username)
        )
    )


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


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.id)))
