"""Tickets over the API: the same services and rules as the web form. Another employee's
ticket answers 404, exactly like one that does not exist."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.api.views import bp
from portal.extensions import db
from portal.kb.models import Category
from portal.tickets import access, queries, services
from portal.tickets.models import Ticket
from portal.web.errors import error_response

CATEGORY_ALIASES = {
    "login": "登录问题",
    "permission": "权限问题",
    "permissions": "权限问题",
    "data": "数据错误",
    "data_error": "数据错误",
    "howto": "操作指南",
    "how-to": "操作指南",
    "guide": "操作指南",
}


def iso(t) -> str | None:
    """Naive UTC from the database -> ISO 8601 with the portal's offset (+08:00)."""
    if t is None:
        return None
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return t.replace(tzinfo=UTC).astimezone(tz).isoformat()


def ticket_json(t: Ticket) -> dict:
    return {
        "id": t.id,
        "number": t.number,
        "title": t.title,
        "description": t.description,
        "category": t.category.name,
        "severity": t.severity,
        "complexity": t.complexity,
        "state": t.state,
        "requester": t.requester.username,
        "assignee": t.assignee.username if t.assignee else None,
        "channel": t.channel,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
        "first_response_due": iso(t.first_response_due),
        "resolution_due": iso(t.resolution_due),
        "first_response_at": iso(t.first_response_at),
        "resolved_at": iso(t.resolved_at),
        "closed_at": iso(t.closed_at),
        "waiting_reason": t.waiting_reason or None,
        "expected_at": iso(t.expected_at),
        "expected_reason": t.expected_reason or None,
        "solution": t.solution or None,
        "rating": t.rating,
        "url": url_for("tickets.show", ticket_id=t.id, _external=False),
    }


def _category_id(raw) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
        return db.session.scalar(select(Category.id).where(Category.id == int(raw)))
    name = CATEGORY_ALIASES.get(str(raw).strip().lower(), str(raw).strip())
    return db.session.scalar(select(Category.id).where(Category.name == name))


def _unauthenticated():
    return error_response(401) if not current_user.is_authenticated else None


@bp.post("/tickets")
def create_ticket():
    if (denied := _unauthenticated()) is not None:
        return denied
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, _("Send a JSON object."))
    fields = {k: body.get(k) for k in ("title", "description", "category", "severity", "contact")}
    if any(v is not None and not isinstance(v, (str, int)) for v in fields.values()) or isinstance(
        fields["title"], int
    ):
        return error_response(400, _("title, description, category, severity and contact are text."))
    category_id = _category_id(fields["category"])
    if category_id is None:
        names = ", ".join(c.name for c in db.session.scalars(select(Category).order_by(Category.id)))
        return error_response(422, _("category must be one of: %(names)s.", names=names), code="category")
    data = services.TicketInput(
        title=str(fields["title"] or ""),
        description=str(fields["description"] or ""),
        category_id=category_id,
        severity=str(fields["severity"] or "normal"),
        contact=str(fields["contact"] or ""),
    )
    try:
        ticket = services.file_ticket(data, current_user)
    except services.TicketError as err:
        return error_response(422, err.message, code=",".join(err.errors))
    response = jsonify(ticket_json(ticket))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_ticket", ticket_id=ticket.id)
    return response


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int):
    if (denied := _unauthenticated()) is not None:
        return denied
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not access.can_view(current_user.id, current_user.roles, ticket.requester_id):
        return error_response(404, _("No such ticket."))
    return jsonify(ticket_json(ticket))


@bp.get("/tickets")
def list_tickets():
    """The caller's own tickets, newest activity first."""
    if (denied := _unauthenticated()) is not None:
        return denied
    state = request.args.get("state", "all")
    if state not in ("open", "done", "all"):
        return error_response(400, _("state must be open, done or all."))
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        return error_response(400, _("page must be a whole number."))
    result = queries.mine(current_user, state, page, 20)
    return jsonify({"total": result.total, "page": page, "tickets": [ticket_json(t) for t in result.items]})
