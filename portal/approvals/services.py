"""Approval transactions: submitting a request, deciding a step, resubmitting after a return,
withdrawing, commenting, delegating, and the reminders of the periodic job.

Every function is one unit of work: it checks who may do it and changes everything or nothing
(the request, its steps, the history and the notifications are committed together, or none of
them). A decision is a compare-and-set on the step ("pending" -> decided) inside the
transaction, so of two approvals of the same step at the same moment (a double click, two tabs,
an approver and their delegate) exactly one is recorded and the other gets a 409.
Reading lives in queries.py, checking a form and computing its route in drafts.py.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from portal.approvals import access, config, due, flow, routing
from portal.approvals.drafts import ApprovalInputError, Draft, prepare
from portal.approvals.flow import Decision, FlowError, RequestState, StepState
from portal.approvals.labels import request_link, request_title, state_label, todo_link
from portal.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalStep, Delegation
from portal.approvals.queries import (
    can_view,
    current_steps,
    delegators_of,
    held_steps,
    open_delegations,
    pending_step,
)
from portal.auth.models import User
from portal.auth.services import active_user
from portal.core import clock
from portal.core.clock import utcnow
from portal.core.errors import Conflict, NotAllowed
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify.services import notify

COMMENT_MAX = 2000
DELEGATION_MAX_DAYS = 90


def _stale_message() -> str:
    return _("This request changed a moment ago (someone decided or withdrew it). Refresh to see where it stands.")


def _one_change(fn):
    """One unit of work; someone else changed the request after we loaded it (the version
    column, or SQLite's lock on a simultaneous write): nothing of ours is written, a 409."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            with unit_of_work(conflict=_stale_message()):
                return fn(*args, **kwargs)
        except OperationalError as exc:
            if "locked" not in str(exc).lower():
                raise
            raise Conflict(_stale_message()) from None

    return wrapped


# --- submitting --------------------------------------------------------------------------------


def _event(
    req: ApprovalRequest,
    kind: str,
    actor: User | None,
    *,
    body: str = "",
    step: ApprovalStep | None = None,
    data: dict | None = None,
    now: datetime,
) -> ApprovalEvent:
    event = ApprovalEvent(kind=kind, actor_id=actor.id if actor else None, body=body, data=data or {}, created_at=now)
    if step is not None:
        event.step_id = step.id
    req.events.append(event)
    req.updated_at = now
    return event


def _notify(user_id: int, kind: str, req: ApprovalRequest, *, now: datetime, important: bool = False) -> None:
    notify(user_id, kind, request_title(req), request_link(req), important=important, now=now)


def _start_step(req: ApprovalRequest, step: ApprovalStep, now: datetime) -> None:
    steps = [s for s in req.steps if s.round == step.round]
    step.state = StepState.PENDING.value
    step.started_at = now
    step.due_at = clock.naive(
        due.step_due(
            clock.aware(now),
            step.position,
            len(steps),
            req.fast_track,
            clock.aware(req.submitted_at),
            config.calendar(),
            config.limits(),
        )
    )
    _notify(step.approver_id, "approval_todo", req, now=now)


def _lay_route(req: ApprovalRequest, draft: Draft, now: datetime) -> None:
    states = flow.start(len(draft.route.steps)).steps
    for i, (s, _state) in enumerate(zip(draft.route.steps, states)):
        step = ApprovalStep(
            round=req.round,
            position=i,
            approver_id=s.approver_id,
            acting_for_id=s.acting_for,
            role=s.position,
            state=StepState.WAITING.value,
        )
        req.steps.append(step)
    db.session.flush()
    first = next(s for s in req.steps if s.round == req.round and s.position == 0)
    _start_step(req, first, now)


def _route_data(draft: Draft) -> dict:
    return {
        "steps": [
            {"approver": u.username, "position": s.position, "acting_for": a.username if a else None}
            for s, u, a in zip(draft.route.steps, draft.approvers, draft.acting_for)
        ],
        "fast_track": draft.route.fast_track,
        "reason": draft.route.reason,
    }


@_one_change
def submit(
    draft: Draft, requester: User, *, source: str = "web", confirmed: str | None = None, now: datetime | None = None
) -> ApprovalRequest:
    """Store the request with the route the requester saw. `confirmed`: the fingerprint of the
    route shown; if the org chart changed since, the new route is shown again instead (409)."""
    now = now or utcnow()
    draft.check_confirmed(confirmed)
    req = ApprovalRequest(
        template_key=draft.template.key,
        template_version=draft.template.version,
        title=draft.title,
        amount=draft.amount,
        fields=draft.fields,
        requester=requester,
        department_id=requester.department_id,
        target_department_id=draft.target_department_id,
        state=RequestState.IN_PROGRESS.value,
        fast_track=draft.route.fast_track,
        route_reason=draft.route.reason,
        round=1,
        source=source,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        due_at=draft.due_at,
    )
    db.session.add(req)
    db.session.flush()
    _lay_route(req, draft, now)
    _event(req, "submitted", requester, data=_route_data(draft), now=now)
    return req


@_one_change
def submit_request(
    template_key: str,
    title: str,
    raw,
    requester: User,
    *,
    confirmed: str | None = None,
    source: str = "web",
    partial: bool = False,
    now: datetime | None = None,
) -> tuple[ApprovalRequest, Draft]:
    """The whole form post: check what was typed, compute the route, store it (all or nothing).
    A route other than the one confirmed raises RouteChanged with the new draft."""
    now = now or utcnow()
    draft = prepare(template_key, title, raw, requester, now=now, partial=partial)
    return submit(draft, requester, source=source, confirmed=confirmed, now=now), draft


# --- deciding --------------------------------------------------------------------------------


def _decision(decision: str, comment: str) -> tuple[Decision, str]:
    try:
        decided = Decision(decision)
    except ValueError:
        raise ApprovalInputError({"decision": _("The decision is approve, reject or return.")}) from None
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > COMMENT_MAX:
        raise ApprovalInputError({"comment": _("A comment may have at most %(n)d characters.", n=COMMENT_MAX)})
    if decided == Decision.RETURN and not comment:
        raise ApprovalInputError({"comment": _("Say what to change, so the requester knows what to do.")})
    return decided, comment


def _holders(req: ApprovalRequest) -> list[access.Holder]:
    """The current round's steps with who decided each (from the history: a stand-in decides
    in the approver's place)."""
    steps = current_steps(req)
    deciders = dict(
        db.session.execute(
            select(ApprovalEvent.step_id, ApprovalEvent.actor_id).where(
                ApprovalEvent.request_id == req.id,
                ApprovalEvent.step_id.in_([s.id for s in steps]),
                ApprovalEvent.kind.in_([d.value for d in Decision]),
            )
        ).all()
    )
    return [access.Holder(s.position, s.approver_id, deciders.get(s.id)) for s in steps]


@_one_change
def decide(
    req: ApprovalRequest, actor: User, decision: str, comment: str = "", *, now: datetime | None = None
) -> ApprovalRequest:
    now = now or utcnow()
    decision, comment = _decision(decision, comment)
    step = pending_step(req)
    if req.state != RequestState.IN_PROGRESS or step is None:
        raise Conflict(
            _("This request is no longer waiting for a decision (it is %(state)s).", state=state_label(req.state))
        )
    delegators = delegators_of(actor.id, config.local_day(now))
    if not access.may_decide(actor.id, req.requester_id, step.approver_id, delegators):
        if any(s.approver_id == actor.id and s.decided_at for s in req.steps):
            raise Conflict(_("You have already decided on this request."))
        raise NotAllowed(_("This step is not yours to decide."))
    if access.decides_twice(actor.id, step.position, _holders(req)):
        raise NotAllowed(
            _(
                "You decide another step of this request; this one needs someone else "
                "(its approver or another stand-in)."
            )
        )
    states = tuple(s.state for s in current_steps(req))
    try:
        outcome = flow.decide(req.state, states, step.position, decision)
    except FlowError:
        raise Conflict(_stale_message()) from None
    new_state = outcome.steps[step.position]
    # the compare-and-set: of two decisions on this step only one finds it pending
    won = db.session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.id == step.id, ApprovalStep.state == StepState.PENDING.value)
        .values(state=new_state.value, decided_at=now, comment=comment),
        execution_options={"synchronize_session": False},
    ).rowcount
    if won != 1:
        raise Conflict(_("This step was decided a moment ago. Refresh to see the decision."))
    step.state, step.decided_at, step.comment = new_state.value, now, comment
    acting_for = step.approver_id if actor.id != step.approver_id else None
    for s in current_steps(req):
        if s.id != step.id and s.state != outcome.steps[s.position]:
            if outcome.steps[s.position] == StepState.PENDING:
                _start_step(req, s, now)
            else:
                s.state = outcome.steps[s.position].value
    req.state = outcome.request.value
    _event(
        req,
        decision.value,
        actor,
        body=comment,
        step=step,
        now=now,
        data={
            "position": step.role,
            **({"acting_for": db.session.get(User, acting_for).username} if acting_for else {}),
        },
    )
    if outcome.request != RequestState.IN_PROGRESS:
        req.decided_at = now if outcome.request != RequestState.RETURNED else None
        kind = {
            RequestState.APPROVED: "approval_approved",
            RequestState.REJECTED: "approval_rejected",
            RequestState.RETURNED: "approval_returned",
        }[outcome.request]
        _notify(req.requester_id, kind, req, important=outcome.request != RequestState.APPROVED, now=now)
    return req


@_one_change
def resubmit(
    req: ApprovalRequest, actor: User, title: str, raw, *, confirmed: str | None = None, now: datetime | None = None
) -> ApprovalRequest:
    """After a return: the requester's edited request takes a new round with a fresh route."""
    now = now or utcnow()
    if not access.may_change(actor.id, req.requester_id):
        raise NotAllowed(_("Only the requester can change and resubmit this request."))
    if not flow.can_resubmit(req.state):
        raise Conflict(_("Only a request returned for changes can be resubmitted."))
    draft = prepare(req.template_key, title, raw, actor, now=now)
    draft.check_confirmed(confirmed)
    req.round += 1
    req.title, req.fields, req.amount = draft.title, draft.fields, draft.amount
    req.target_department_id, req.template_version = draft.target_department_id, draft.template.version
    req.fast_track, req.route_reason = draft.route.fast_track, draft.route.reason
    req.state, req.submitted_at, req.due_at, req.decided_at = RequestState.IN_PROGRESS.value, now, draft.due_at, None
    _lay_route(req, draft, now)
    _event(req, "resubmitted", actor, data=_route_data(draft), now=now)
    return req


@_one_change
def withdraw(req: ApprovalRequest, actor: User, reason: str = "", *, now: datetime | None = None) -> ApprovalRequest:
    now = now or utcnow()
    if not access.may_change(actor.id, req.requester_id):
        raise NotAllowed(_("Only the requester can withdraw this request."))
    if not flow.can_withdraw(req.state):
        raise Conflict(
            _("This request is already %(state)s and can no longer be withdrawn.", state=state_label(req.state))
        )
    pending = pending_step(req)
    for s in current_steps(req):
        if s.state in (StepState.PENDING, StepState.WAITING):
            s.state = StepState.SKIPPED.value
    req.state, req.decided_at = RequestState.WITHDRAWN.value, now
    _event(req, "withdrawn", actor, body=(reason or "").strip()[:COMMENT_MAX], now=now)
    if pending is not None:
        _notify(pending.approver_id, "approval_withdrawn", req, now=now)
    return req


@_one_change
def add_comment(req: ApprovalRequest, actor: User, body: str, *, now: datetime | None = None) -> ApprovalEvent:
    now = now or utcnow()
    body = (body or "").strip() if isinstance(body, str) else ""
    if not can_view(req, actor, now):
        raise NotAllowed(_("You cannot comment on this request."))
    if not body:
        raise ApprovalInputError({"comment": _("Write a comment first.")})
    if len(body) > COMMENT_MAX:
        raise ApprovalInputError({"comment": _("A comment may have at most %(n)d characters.", n=COMMENT_MAX)})
    event = _event(req, "comment", actor, body=body, now=now)
    to = {req.requester_id} | ({p.approver_id} if (p := pending_step(req)) else set())
    for user_id in to - {actor.id}:
        _notify(user_id, "approval_comment", req, now=now)
    return event


# --- reminders (the periodic job) ---------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """One pass over pending steps: before a step is due its approver is reminded; at the due
    time the step is marked overdue and both the approver and the requester are told (in red
    for the approver). Safe to run as often as wanted (each reminder is sent once)."""
    now = now or utcnow()
    counts = {"reminded": 0, "overdue": 0}
    with unit_of_work():
        steps = db.session.scalars(
            select(ApprovalStep)
            .join(ApprovalRequest)
            .where(
                ApprovalStep.state == StepState.PENDING.value,
                ApprovalStep.round == ApprovalRequest.round,
                ApprovalRequest.state == RequestState.IN_PROGRESS.value,
                ApprovalStep.due_at.is_not(None),
                ApprovalStep.due_at <= now + config.remind_before(),
                ApprovalStep.overdue.is_(False),
            )
            .order_by(ApprovalStep.due_at)
        )
        for step in list(steps):
            req = step.request
            seen = {"approver": step.approver.username}
            if step.due_at <= now:
                step.overdue = step.reminded = True
                _notify(step.approver_id, "approval_overdue", req, important=True, now=now)
                _notify(req.requester_id, "approval_overdue", req, now=now)
                req.events.append(ApprovalEvent(kind="overdue", step_id=step.id, created_at=now, data=seen))
                counts["overdue"] += 1
            elif not step.reminded:
                step.reminded = True
                _notify(step.approver_id, "approval_due_soon", req, now=now)
                req.events.append(ApprovalEvent(kind="reminder", step_id=step.id, created_at=now, data=seen))
                counts["reminded"] += 1
    return counts


# --- delegation ------------------------------------------------------------------------------


def _delegation_errors(approver: User, person: User | None, name: str, starts, ends, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if person is None:
        errors["delegate"] = _("No active account %(name)s.", name=name) if name else _("Choose who stands in for you.")
    elif person.id == approver.id:
        errors["delegate"] = _("You cannot delegate to yourself.")
    if starts is None:
        errors["starts"] = _("Enter a date as YYYY-MM-DD.")
    if ends is None:
        errors["ends"] = _("Enter a date as YYYY-MM-DD.")
    if starts and ends:
        if ends < starts:
            errors["ends"] = _("The end date is before the start date.")
        elif ends < today:
            errors["ends"] = _("The period is already over.")
        elif (ends - starts) > timedelta(days=DELEGATION_MAX_DAYS):
            errors["ends"] = _("A delegation lasts at most %(n)d days.", n=DELEGATION_MAX_DAYS)
    return errors


@_one_change
def delegate(
    approver: User, delegate_username: str, starts: date | None, ends: date | None, *, now: datetime | None = None
) -> Delegation:
    """An approver names a stand-in for a period (both days included)."""
    now = now or utcnow()
    if approver.position not in routing.APPROVER_POSITIONS:
        raise NotAllowed(_("Only supervisors, managers and division leaders approve, so only they delegate."))
    name = (delegate_username or "").strip()
    person = active_user(name)
    if errors := _delegation_errors(approver, person, name, starts, ends, config.local_day(now)):
        raise ApprovalInputError(errors)
    overlapping = db.session.scalar(
        select(Delegation.id).where(
            Delegation.approver_id == approver.id,
            Delegation.revoked.is_(False),
            Delegation.starts <= ends,
            Delegation.ends >= starts,
        )
    )
    if overlapping:
        raise ApprovalInputError({"starts": _("You already have a delegation in this period; revoke it first.")})
    d = Delegation(approver_id=approver.id, delegate_id=person.id, starts=starts, ends=ends)
    db.session.add(d)
    title = _(
        "%(name)s: %(starts)s – %(ends)s", name=approver.display_name, starts=starts.isoformat(), ends=ends.isoformat()
    )
    notify(person.id, "delegation", title, todo_link(), now=now)
    return d


@_one_change
def revoke(d: Delegation, actor: User) -> None:
    if d.approver_id != actor.id and not access.is_admin(actor.roles):
        raise NotAllowed(_("Only the approver who delegated can revoke it."))
    d.revoked = True


# --- someone leaves ----------------------------------------------------------------------------


@dataclass
class HandOver:
    """What a successor took over: steps, delegations ended and delegations passed to them."""

    steps: list[ApprovalStep] = field(default_factory=list)
    ended: list[Delegation] = field(default_factory=list)  # the leaver's own: nobody stands in for them now
    passed: list[Delegation] = field(default_factory=list)  # the leaver stood in; now the successor does


def hand_over_problems(from_user: User, to_user: User) -> dict[str, str]:
    """Why `to_user` cannot take over `from_user`'s steps ({} when they can): nobody decides their
    own request, nor two steps of one request."""
    own, twice = [], []
    for step in held_steps(from_user.id):
        req = step.request
        if req.requester_id == to_user.id:
            own.append(req.number)
        elif access.decides_twice(to_user.id, step.position, _holders(req)):
            twice.append(req.number)
    if own:
        return {
            "successor": _(
                "%(name)s asked for %(numbers)s themselves and cannot approve it; choose another successor.",
                name=to_user.display_name,
                numbers=", ".join(own),
            )
        }
    if twice:
        return {
            "successor": _(
                "%(name)s already decides another step of %(numbers)s; choose another successor.",
                name=to_user.display_name,
                numbers=", ".join(twice),
            )
        }
    return {}


@_one_change
def hand_over(from_user: User, to_user: User | None, by: User | None, *, now: datetime | None = None) -> HandOver:
    """Someone leaves: the steps still ahead of them go to `to_user` (the pending ones notify them),
    the delegations they gave end, the ones they received pass to `to_user`. Without a successor
    only the delegations they gave end (there must be nothing else). All or nothing; `by` None is
    the command line."""
    now = now or utcnow()
    if by is not None and not access.is_admin(by.roles):
        raise NotAllowed(_("Only an administrator hands over someone's approvals."))
    steps = held_steps(from_user.id)
    given, received = open_delegations(from_user.id, config.local_day(now))
    if to_user is None and (steps or received):
        raise ApprovalInputError({"successor": _("Name the successor who takes over the approval steps.")})
    if to_user is not None and (problems := hand_over_problems(from_user, to_user)):
        raise ApprovalInputError(problems)
    done = HandOver()
    for d in given:
        d.revoked = True
        done.ended.append(d)
    if to_user is None:
        return done
    for step in steps:
        req = step.request
        step.approver = to_user
        if step.acting_for_id == to_user.id:  # they stood in for the successor: it is theirs again
            step.acting_for_id = None
        _event(
            req,
            "handed_over",
            by,
            step=step,
            now=now,
            data={"from": from_user.username, "to": to_user.username, "position": step.role},
        )
        if step.state == StepState.PENDING:
            _notify(to_user.id, "approval_todo", req, now=now)
        done.steps.append(step)
    for d in received:
        if d.approver_id == to_user.id:
            d.revoked = True
            done.ended.append(d)
            continue
        d.delegate = to_user
        title = _(
            "%(name)s: %(starts)s – %(ends)s",
            name=d.approver.display_name,
            starts=d.starts.isoformat(),
            ends=d.ends.isoformat(),
        )
        notify(to_user.id, "delegation", title, todo_link(), now=now)
        done.passed.append(d)
    return done
