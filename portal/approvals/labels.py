"""Words and values people read on approval pages (translated at render time)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import has_request_context, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from portal.approvals import templates as tpl
from portal.approvals.config import template
from portal.approvals.models import ApprovalRequest


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def text(texts) -> str:
    """A template's name, description, field label or option in the reader's language."""
    return tpl.label(texts, _locale())


def template_name(key: str) -> str:
    t = template(key)
    return text(t.names) if t else key


def state_label(state: str) -> str:
    return {
        "in_progress": _("in progress"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "returned": _("returned for changes"),
        "withdrawn": _("withdrawn"),
    }.get(state, state)


def request_title(req: ApprovalRequest) -> str:
    """How a notification names a request."""
    return f"{req.number} · {req.title}"


def request_link(req: ApprovalRequest) -> str:
    """Where a notification about a request leads (a job has no request to build URLs in)."""
    if has_request_context():
        return url_for("approvals.show", request_id=req.id)
    return f"/approvals/{req.id}"


def todo_link() -> str:
    if has_request_context():
        return url_for("approvals.lists", box="todo")
    return "/approvals/?box=todo"


def role_label(role: str) -> str:
    return {
        "supervisor": _("Business supervisor"),
        "manager": _("Department manager"),
        "division_leader": _("Division leader"),
    }.get(role, role)


def step_state_label(state: str) -> str:
    return {
        "waiting": _("Not yet reached"),
        "pending": _("Waiting for decision"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "returned": _("Returned for changes"),
        "skipped": _("Not needed"),
    }.get(state, state)


def reason_label(reason: str) -> str:
    return {
        "amount": _("Route by amount and position"),
        "major_amount": _("Fast track: major item over 1,000,000 CNY"),
        "cross_department": _("Fast track: crosses departments"),
    }.get(reason, reason)


def event_label(kind: str) -> str:
    return {
        "submitted": _("submitted the request"),
        "resubmitted": _("changed and resubmitted the request"),
        "approve": _("approved"),
        "reject": _("rejected"),
        "return": _("returned it for changes"),
        "withdrawn": _("withdrew the request"),
        "comment": _("commented"),
        "reminder": _("reminder sent"),
        "overdue": _("step overdue"),
        "handed_over": _("handed a step to a successor"),
    }.get(kind, kind)


def money(value) -> str:
    if value is None or value == "":
        return ""
    return "¥" + format_decimal(Decimal(str(value)), format="#,##0.00")


def field_value(f: tpl.Field, value, departments: dict) -> str:
    """A stored (JSON) value as people read it."""
    if value is None or value == "":
        return "—"
    if f.type == "money":
        return money(value)
    if f.type == "boolean":
        return _("Yes") if value else _("No")
    if f.type == "select":
        option = next((o for o in f.options if o.value == value), None)
        return text(option.labels) if option else str(value)
    if f.type == "department":
        return departments.get(value, str(value))
    if f.type == "date_range" and isinstance(value, dict):
        return f"{value.get('start')} – {value.get('end')}"
    return str(value)


def raw_value(raw, name: str) -> str:
    """What the user typed (or the stored value) for a form field, as text."""
    value = raw.get(name) if hasattr(raw, "get") else None
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


HELPERS = {
    "approval_text": text,
    "template_name": template_name,
    "role_label": role_label,
    "approval_state_label": state_label,
    "step_state_label": step_state_label,
    "route_reason_label": reason_label,
    "approval_event_label": event_label,
    "money": money,
    "field_value": field_value,
    "raw_value": raw_value,
}
