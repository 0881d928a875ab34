"""The audit viewer for administrators: filter, page, export."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from portal.audit import queries, services
from portal.audit.labels import ACTIONS
from portal.web.access import roles_required
from portal.web.request import display_zone, local_midnight_utc, parse_day, parse_page

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
FIELDS = ("actor", "subject", "action", "target", "from", "to")


def parse_filters(args) -> tuple[queries.Filters, dict]:
    """Filters from the query string (local days, the "to" day included) and the form's values."""
    form = {k: (args.get(k) or "").strip()[:120] for k in FIELDS}
    tz = display_zone()
    since, until = parse_day(form["from"]), parse_day(form["to"])
    form["from"] = since.isoformat() if since else ""
    form["to"] = until.isoformat() if until else ""
    filters = queries.Filters(
        actor=form["actor"],
        subject=form["subject"],
        action=form["action"],
        target=form["target"],
        since=local_midnight_utc(since, tz) if since else None,
        until=local_midnight_utc(until + timedelta(days=1), tz) if until else None,
    )
    return filters, form


@bp.get("/")
@roles_required("admin")
def index():
    filters, form = parse_filters(request.args)
    events = queries.page(filters, parse_page(request.args.get("page")))
    args = {k: v for k, v in form.items() if v}
    actions = sorted(set(ACTIONS) | set(queries.actions()))
    return render_template("audit/index.html", events=events, form=form, args=args, actions=actions)


@bp.get("/export.xlsx")
@roles_required("admin")
def export():
    filters, _form = parse_filters(request.args)
    data = services.export_workbook(filters, by=current_user, tz=display_zone())
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=audit.xlsx"},
    )
