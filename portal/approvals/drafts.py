"""Checking what a requester typed and computing its route: a Draft, shown before they confirm.

Reads only (the org chart, today's delegations, the departments); nothing here writes, so a
preview costs no transaction and a bad field leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from portal.approvals import due, routing
from portal.approvals import templates as tpl
from portal.approvals.config import calendar, limits, local_day, template, templates
from portal.approvals.models import Delegation
from portal.auth.models import Department, User
from portal.core import clock
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput
from portal.extensions import db

TITLE_MAX = 200


class ApprovalInputError(InvalidInput):
    """A request's fields, title, decision or delegation that cannot be accepted."""


class RouteChanged(Conflict):
    """The route computed now is not the one the requester confirmed (the org chart or a
    delegation changed in between): `draft` carries the new route, shown to confirm again."""

    def __init__(self, draft: Draft):
        super().__init__(_("The approval route changed since you looked at it. Check the new route and confirm again."))
        self.draft = draft


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

    def check_confirmed(self, confirmed: str | None) -> None:
        """`confirmed`: the fingerprint of the route shown (None: nothing was shown, the API)."""
        if confirmed is not None and confirmed != self.fingerprint:
            raise RouteChanged(self)


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
    today = local_day(now)
    try:
        computed = routing.route(
            requester.id, amount, org_chart(), target_department_id=target, on=today, delegations=delegations_on(today)
        )
    except routing.RoutingError as exc:
        raise ApprovalInputError({"route": route_message(exc.code)}) from None
    wanted = [s.approver_id for s in computed.steps] + [s.acting_for for s in computed.steps if s.acting_for]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
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
