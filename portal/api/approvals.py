"""Approvals over the API for business systems: the same templates, routing rules, access and
state machine as the pages. A request the caller may not see answers 404, like a missing one."""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.api.tickets import iso
from portal.api.views import bp
from portal.approvals import config, queries, services
from portal.approvals.models import ApprovalRequest
from portal.auth.models import Department
from portal.core.errors import DomainError
from portal.extensions import db
from portal.web.errors import error_response
from portal.web.request import parse_page

DEPARTMENT_ALIASES = ("department", "target_department")


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def step_json(s) -> dict:
    return {
        "step": s.position + 1,
        "round": s.round,
        "position": s.role,
        "approver": s.approver.username,
        "approver_name": s.approver.display_name,
        "acting_for": s.acting_for.username if s.acting_for else None,
        "state": s.state,
        "started_at": iso(s.started_at),
        "due_at": iso(s.due_at),
        "decided_at": iso(s.decided_at),
        "overdue": bool(s.overdue),
        "comment": s.comment or None,
    }


def request_json(req: ApprovalRequest) -> dict:
    current = sorted(req.current_steps, key=lambda s: s.position)
    pending = queries.pending_step(req)
    return {
        "id": req.id,
        "number": req.number,
        "template": req.template_key,
        "title": req.title,
        "amount": _number(Decimal(req.amount or 0)),
        "state": req.state,
        "fast_track": req.fast_track,
        "route_reason": req.route_reason,
        "round": req.round,
        "requester": req.requester.username,
        "department": req.department.code if req.department else None,
        "target_department": req.target_department.code if req.target_department else None,
        "fields": req.fields or {},
        "route": [step_json(s) for s in current],
        "current_step": pending.position + 1 if pending else None,
        "submitted_at": iso(req.submitted_at),
        "due_at": iso(req.due_at),
        "decided_at": iso(req.decided_at),
        "source": req.source,
        "url": url_for("approvals.show", request_id=req.id),
        "history": [
            {
                "kind": e.kind,
                "actor": e.actor.username if e.actor else None,
                "comment": e.body or None,
                "at": iso(e.created_at),
            }
            for e in req.events
        ],
    }


def _department_id(value):
    """A department given by id, code or name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit():
            return int(text)
        found = db.session.scalar(select(Department.id).where(or_(Department.code == text, Department.name == text)))
        return found if found is not None else text
    return value


def _raw(template, body: dict) -> dict | None:
    fields = body.get("fields") or {}
    if not isinstance(fields, dict):
        return None
    raw = dict(fields)
    if template.amount_field and body.get("amount") is not None:
        raw[template.amount_field] = body["amount"]
    if template.department_field:
        given = next((raw.pop(a) for a in DEPARTMENT_ALIASES if a in raw and a != template.department_field), None)
        given = raw.get(template.department_field, body.get("target_department", given))
        if given is not None:
            raw[template.department_field] = _department_id(given)
    for name, value in raw.items():  # JSON numbers as text, so the cleaner sees what was sent
        if isinstance(value, float):
            raw[name] = repr(value)
    return raw


def _domain_error(err: DomainError):
    """The message, and for input errors {field: message} under error.fields."""
    errors = getattr(err, "errors", None) or {}
    code = ",".join(errors) or ("conflict" if err.status == 409 else None)
    body, status = error_response(err.status, err.message, code=code)
    if errors:
        body = jsonify({"error": {**body.get_json()["error"], "fields": errors}})
    return body, status


def _unauthenticated():
    return error_response(401) if not current_user.is_authenticated else None


@bp.post("/approvals")
def create_approval():
    if (denied := _unauthenticated()) is not None:
        return denied
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, _("Send a JSON object."))
    template = config.template(body.get("template")) if isinstance(body.get("template"), str) else None
    if template is None:
        return error_response(
            422, _("template must be one of: %(keys)s.", keys=", ".join(config.templates())), code="template"
        )
    if body.get("amount") is not None and (
        isinstance(body["amount"], bool) or not isinstance(body["amount"], (int, float, str))
    ):
        return error_response(400, _("amount is a number."))
    raw = _raw(template, body)
    if raw is None:
        return error_response(400, _("fields is an object of field name to value."))
    try:
        req, draft = services.submit_request(
            template.key, body.get("title"), raw, current_user, source="api", partial=True
        )
    except DomainError as err:  # nothing was written
        return _domain_error(err)
    db.session.refresh(req)
    payload = request_json(req)
    payload["missing_fields"] = draft.missing
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_approval", request_id=req.id)
    return response


def _load(request_id: int):
    return queries.visible_request(request_id, current_user)


@bp.get("/approvals/<int:request_id>")
def get_approval(request_id: int):
    if (denied := _unauthenticated()) is not None:
        return denied
    req = _load(request_id)
    if req is None:
        return error_response(404, _("No such approval request."))
    return jsonify(request_json(req))


@bp.post("/approvals/<int:request_id>/decision")
def decide_approval(request_id: int):
    if (denied := _unauthenticated()) is not None:
        return denied
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("decision"), str)
        or not isinstance(body.get("comment") or "", str)
    ):
        return error_response(400, _("Send a JSON object with decision (approve, reject or return) and comment."))
    req = _load(request_id)
    if req is None:
        return error_response(404, _("No such approval request."))
    try:
        services.decide(req, current_user, body["decision"], body.get("comment") or "")
    except DomainError as err:  # nothing was written
        return _domain_error(err)
    db.session.refresh(req)
    return jsonify(request_json(req))


@bp.get("/approvals")
def list_approvals():
    """The caller's to-do, in-progress or done list (admins: box=all)."""
    if (denied := _unauthenticated()) is not None:
        return denied
    box = request.args.get("box", "todo")
    if box not in queries.BOXES or (box == "all" and not current_user.has_role("admin")):
        return error_response(400, _("box must be todo, in_progress or done (all for administrators)."))
    page = parse_page(request.args.get("page"))
    result = queries.listing(box, current_user, page, 20)
    return jsonify(
        {"box": box, "total": result.total, "page": page, "approvals": [request_json(r) for r in result.items]}
    )
