"""Approval transactions: preparing and submitting a request, deciding a step, resubmitting after
a return, withdrawing, commenting, delegating.

Every function checks who may do it and changes everything or nothing: the request, its steps,
the history and the notifications are committed together. A decision is a compare-and-set on
the step ("pending" -> decided) inside the transaction, so of two approvals of the same step at
the same moment (a double click, two tabs, an approver and their delegate) exactly one is
recorded and the other gets a 409.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.approvals import access, due, flow, routing
from portal.approvals import templates as tpl
from portal.approvals.flow import Decision, FlowError, RequestState, StepState
from portal.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalStep, Delegation
from portal.auth.models import Department, User
from portal.auth.services import active_user
from portal.core import calendar_days, clock
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed
from portal.extensions import db
from portal.notify.services import notify

TITLE_MAX, COMMENT_MAX = 200, 2000
DELEGATION_MAX_DAYS = 90


class ApprovalInputError(InvalidInput):
    """A request's fields, title, decision or delegation that cannot be accepted."""


def _stale_message() -> str:
    return _("This request changed a moment ago (someone decided or withdrew it). Refresh to see where it stands.")


def _one_change(fn):
    """Someone else changed the request after we loaded it: nothing of ours is written."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (StaleDataError, OperationalError) as exc:
            db.session.rollback()
            if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
                raise
            raise Conflict(_stale_message()) from None

    return wrapped


# --- configuration: templates, calendar, org chart ---------------------------------------------


def templates() -> dict[str, tpl.Template]:
    """The shipped templates, overridden and extended by the *.json files an administrator puts in
    APPROVAL_TEMPLATE_DIR (no release needed; a broken file is reported at start and skipped)."""
    found = tpl.builtin()
    folder = current_app.config.get("APPROVAL_TEMPLATE_DIR")
    if folder:
        try:
            found.update(_local_templates(folder))
        except tpl.TemplateError as exc:
            current_app.logger.error("approval templates in %s not loaded: %s", folder, exc)
    return found


def _local_templates(folder: str) -> dict[str, tpl.Template]:
    from pathlib import Path

    path = Path(folder)
    if not path.is_dir():
        return {}
    stamp = tuple(sorted((f.name, f.stat().st_mtime_ns) for f in path.glob("*.json")))
    cache = current_app.extensions.setdefault("approval_templates", {})
    if cache.get("stamp") != stamp:
        cache.update(stamp=stamp, found=tpl.load_dir(path))
    return cache["found"]


def template(key: str) -> tpl.Template | None:
    return templates().get(key)


def limits() -> due.Limits:
    cfg = current_app.config
    return due.Limits(
        step_hours=float(cfg["APPROVAL_STEP_HOURS"]), fast_track_hours=float(cfg["APPROVAL_FAST_TRACK_HOURS"])
    )


def calendar():
    """Whole working days (Monday to Friday by default) with the holidays and make-up working
    days of the ticket calendar table, which administrators keep."""
    holidays, workdays = calendar_days.exceptions()
    cfg = current_app.config
    return due.whole_day_calendar(
        weekdays=str(cfg["APPROVAL_WORK_DAYS"]), tz=cfg["BABEL_DEFAULT_TIMEZONE"], holidays=holidays, workdays=workdays
    )


def local_day(now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return clock.aware(now).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def org_chart() -> routing.OrgChart:
    people = {
        row.id: routing.Person(row.id, row.position or "staff", row.department_id, row.superior_id, bool(row.active))
        for row in db.session.execute(select(User.id, User.position, User.department_id, User.superior_id, User.active))
    }
    leaders = dict(
        db.session.execute(
            select(Department.id, Department.division_leader_id).where(Department.division_leader_id.is_not(None))
        ).all()
    )
    return routing.OrgChart(people, leaders)


def delegations_on(day: date) -> list[routing.Delegation]:
    rows = db.session.scalars(
        select(Delegation)
        .where(Delegation.revoked.is_(False), Delegation.starts <= day, Delegation.ends >= day)
        .order_by(Delegation.id)
    )
    return [routing.Delegation(d.approver_id, d.delegate_id, d.starts, d.ends) for d in rows]


def delegators_of(user_id: int, day: date) -> set[int]:
    """The absent approvers this user stands in for today."""
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


def route_message(code: str) -> str:
    return {
        "no_approver": _(
            "Nobody in your reporting line has the authority for this amount. Ask an "
            "administrator to complete the org chart (superiors and division leaders)."
        ),
        "requester_inactive": _("Your account is closed."),
        "unknown_requester": _("Your account is not in the org chart."),
        "invalid_amount": _("The amount cannot be negative."),
    }.get(code, _("No approval route could be computed."))


# --- preparing and submitting ----------------------------------------------------------------


@dataclass
class Draft:
    """A checked request with its route, shown to the requester before they confirm."""

    template: tpl.Template
    title: str
    values: dict
    fields: dict  # JSON-safe values, stored on the request
    amount: Decimal
    target_department_id: int | None
    route: routing.Route
    approvers: list[User]
    acting_for: list[User | None]
    due_at: datetime  # naive UTC: the promise for the whole request
    missing: list[str]  # required fields a business system left out (API only)

    @property
    def fingerprint(self) -> str:
        """What the requester confirmed; a different route at submission is shown again."""
        return ",".join(f"{s.approver_id}:{s.position}" for s in self.route.steps)


def prepare(
    template_key: str, title: str, raw, requester: User, *, now: datetime | None = None, partial: bool = False
) -> Draft:
    """Check what was typed and compute the route. `partial` (business systems over the API):
    descriptive fields may be left out, every value given is still checked, and the amount and
    department that decide the route are required as for a person."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    template_ = template(template_key) if isinstance(template_key, str) else None
    if template_ is None:
        raise ApprovalInputError(
            {"template": _("Choose one of the approval templates: %(keys)s.", keys=", ".join(templates()))}
        )
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        errors["title"] = _("Give the request a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title may have at most %(n)d characters.", n=TITLE_MAX)
    departments = set(db.session.scalars(select(Department.id)))
    values, field_errors = tpl.clean(template_, raw, departments=departments)
    missing = []
    if partial:
        missing = [n for n, key in field_errors.items() if key == "required" and n != template_.amount_field]
        field_errors = {n: key for n, key in field_errors.items() if n not in missing}
    errors.update({name: _(tpl.MESSAGES.get(key, tpl.MESSAGES["invalid"])) for name, key in field_errors.items()})
    if errors:
        raise ApprovalInputError(errors)
    amount = tpl.amount(template_, values)
    target = tpl.target_department(template_, values)
    try:
        computed = routing.route(
            requester.id,
            amount,
            org_chart(),
            target_department_id=target,
            on=local_day(now),
            delegations=delegations_on(local_day(now)),
        )
    except routing.RoutingError as exc:
        raise ApprovalInputError({"route": route_message(exc.code)}) from None
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_(
                    [s.approver_id for s in computed.steps] + [s.acting_for for s in computed.steps if s.acting_for]
                )
            )
        )
    }
    request_due = due.request_due(clock.aware(now), len(computed.steps), computed.fast_track, calendar(), limits())
    return Draft(
        template=template_,
        title=title,
        values=values,
        fields=tpl.to_json(template_, values),
        amount=amount,
        target_department_id=target,
        route=computed,
        approvers=[people[s.approver_id] for s in computed.steps],
        acting_for=[people.get(s.acting_for) if s.acting_for else None for s in computed.steps],
        due_at=clock.naive(request_due),
        missing=missing,
    )


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


def link(req: ApprovalRequest) -> str:
    if has_request_context():
        return url_for("approvals.show", request_id=req.id)
    return f"/approvals/{req.id}"


def label(req: ApprovalRequest) -> str:
    return f"{req.number} · {req.title}"


def _start_step(req: ApprovalRequest, step: ApprovalStep, now: datetime, cal=None) -> None:
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
            cal or calendar(),
            limits(),
        )
    )
    notify(step.approver_id, "approval_todo", label(req), link(req), now=now)


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


def submit(
    draft: Draft, requester: User, *, source: str = "web", confirmed: str | None = None, now: datetime | None = None
) -> ApprovalRequest:
    """Store the request with the route the requester saw. `confirmed`: the fingerprint of the
    route shown; if the org chart changed since, the new route is shown again instead (409)."""
    now = now or utcnow()
    if confirmed is not None and confirmed != draft.fingerprint:
        raise Conflict(_("The approval route changed since you looked at it. Check the new route and confirm again."))
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
    db.session.commit()
    return req


def _round_steps(req: ApprovalRequest) -> list[ApprovalStep]:
    return sorted(req.current_steps, key=lambda s: s.position)


def pending_step(req: ApprovalRequest) -> ApprovalStep | None:
    return next((s for s in _round_steps(req) if s.state == StepState.PENDING), None)


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


# --- deciding --------------------------------------------------------------------------------


@_one_change
def decide(
    req: ApprovalRequest, actor: User, decision: str, comment: str = "", *, now: datetime | None = None
) -> ApprovalRequest:
    now = now or utcnow()
    try:
        decision = Decision(decision)
    except ValueError:
        raise ApprovalInputError({"decision": _("The decision is approve, reject or return.")}) from None
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > COMMENT_MAX:
        raise ApprovalInputError({"comment": _("A comment may have at most %(n)d characters.", n=COMMENT_MAX)})
    if decision == Decision.RETURN and not comment:
        raise ApprovalInputError({"comment": _("Say what to change, so the requester knows what to do.")})
    step = pending_step(req)
    if req.state != RequestState.IN_PROGRESS or step is None:
        raise Conflict(
            _("This request is no longer waiting for a decision (it is %(state)s).", state=state_label(req.state))
        )
    delegators = delegators_of(actor.id, local_day(now))
    if not access.may_decide(actor.id, req.requester_id, step.approver_id, delegators):
        if any(s.approver_id == actor.id and s.decided_at for s in req.steps):
            raise Conflict(_("You have already decided on this request."))
        raise NotAllowed(_("This step is not yours to decide."))
    states = tuple(s.state for s in _round_steps(req))
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
        db.session.rollback()
        raise Conflict(_("This step was decided a moment ago. Refresh to see the decision."))
    step.state, step.decided_at, step.comment = new_state.value, now, comment
    acting_for = step.approver_id if actor.id != step.approver_id else None
    for s in _round_steps(req):
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
        notify(
            req.requester_id, kind, label(req), link(req), important=outcome.request != RequestState.APPROVED, now=now
        )
    db.session.commit()
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
    if confirmed is not None and confirmed != draft.fingerprint:
        raise Conflict(_("The approval route changed since you looked at it. Check the new route and confirm again."))
    req.round += 1
    req.title, req.fields, req.amount = draft.title, draft.fields, draft.amount
    req.target_department_id, req.template_version = draft.target_department_id, draft.template.version
    req.fast_track, req.route_reason = draft.route.fast_track, draft.route.reason
    req.state, req.submitted_at, req.due_at, req.decided_at = RequestState.IN_PROGRESS.value, now, draft.due_at, None
    _lay_route(req, draft, now)
    _event(req, "resubmitted", actor, data=_route_data(draft), now=now)
    db.session.commit()
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
    for s in _round_steps(req):
        if s.state in (StepState.PENDING, StepState.WAITING):
            s.state = StepState.SKIPPED.value
    req.state, req.decided_at = RequestState.WITHDRAWN.value, now
    _event(req, "withdrawn", actor, body=(reason or "").strip()[:COMMENT_MAX], now=now)
    if pending is not None:
        notify(pending.approver_id, "approval_withdrawn", label(req), link(req), now=now)
    db.session.commit()
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
        notify(user_id, "approval_comment", label(req), link(req), now=now)
    db.session.commit()
    return event


# --- delegation ------------------------------------------------------------------------------


def delegate(
    approver: User, delegate_username: str, starts: date | None, ends: date | None, *, now: datetime | None = None
) -> Delegation:
    """An approver names a stand-in for a period (both days included)."""
    today = local_day(now or utcnow())
    errors: dict[str, str] = {}
    if approver.position not in routing.APPROVER_POSITIONS:
        raise NotAllowed(_("Only supervisors, managers and division leaders approve, so only they delegate."))
    name = (delegate_username or "").strip()
    person = active_user(name)
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
    if errors:
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
    notify(
        person.id,
        "delegation",
        _(
            "%(name)s: %(starts)s – %(ends)s",
            name=approver.display_name,
            starts=starts.isoformat(),
            ends=ends.isoformat(),
        ),
        url_for("approvals.lists", box="todo") if has_request_context() else "/approvals/?box=todo",
        now=now,
    )
    db.session.commit()
    return d


def revoke(d: Delegation, actor: User) -> None:
    if d.approver_id != actor.id and not access.is_admin(actor.roles):
        raise NotAllowed(_("Only the approver who delegated can revoke it."))
    d.revoked = True
    db.session.commit()


def my_delegations(user: User) -> list[Delegation]:
    return list(
        db.session.scalars(
            select(Delegation)
            .where(or_(Delegation.approver_id == user.id, Delegation.delegate_id == user.id))
            .order_by(Delegation.revoked, Delegation.starts.desc())
        )
    )


# --- words -----------------------------------------------------------------------------------


def state_label(state: str) -> str:
    return {
        "in_progress": _("in progress"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "returned": _("returned for changes"),
        "withdrawn": _("withdrawn"),
    }.get(state, state)


def load_fields(req: ApprovalRequest) -> dict:
    """The stored values typed again for a form (a template that changed since leaves the rest out)."""
    t = template(req.template_key)
    if t is None:
        return {}
    values, _errors = tpl.clean(t, req.fields or {}, departments=set(db.session.scalars(select(Department.id))))
    return values
