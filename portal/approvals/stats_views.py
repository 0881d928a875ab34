"""Approval statistics page (administrators): average duration per template and per step role,
share over the time limit by month and by department, as server-drawn SVG charts."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy import select

from portal.approvals import config, stats
from portal.approvals.labels import role_label, template_name
from portal.approvals.models import ApprovalRequest, ApprovalStep
from portal.approvals.views import bp
from portal.auth.models import Department
from portal.core.clock import utcnow
from portal.extensions import db
from portal.web import charts
from portal.web.access import roles_required

PERIODS = (3, 6, 12)
DEFAULT_MONTHS = 6
ROLES = ("supervisor", "manager", "division_leader")


def _months(raw) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return value if value in PERIODS else DEFAULT_MONTHS


def load_rows(since, template_key: str | None) -> tuple[list[stats.RequestRow], list[stats.StepRow]]:
    """The requests submitted since `since` (naive UTC) and their steps, as plain rows."""
    r = ApprovalRequest
    q = select(r.template_key, r.department_id, r.state, r.submitted_at, r.decided_at, r.due_at).where(
        r.submitted_at >= since
    )
    s = (
        select(
            r.template_key,
            ApprovalStep.role,
            ApprovalStep.started_at,
            ApprovalStep.decided_at,
            ApprovalStep.due_at,
            ApprovalStep.state,
            r.department_id,
            r.submitted_at,
        )
        .join(r, ApprovalStep.request_id == r.id)
        .where(r.submitted_at >= since)
    )
    if template_key:
        q, s = q.where(r.template_key == template_key), s.where(r.template_key == template_key)
    requests = [stats.RequestRow(*row) for row in db.session.execute(q)]
    steps = [stats.StepRow(*row) for row in db.session.execute(s)]
    return requests, steps


def hours_text(value: float | None) -> str:
    if value is None:
        return "—"
    return _("%(hours)s h", hours=format_decimal(round(value, 1), format="#,##0.0"))


def share_text(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%")


@bp.get("/stats", endpoint="stats")
@roles_required("admin")
def stats_page():
    tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or stats.LOCAL_TZ
    now = utcnow()
    months = _months(request.args.get("months"))
    all_templates = config.templates()
    template_key = request.args.get("template") if request.args.get("template") in all_templates else None
    requests, steps = load_rows(stats.months_start(now, months, tz), template_key)

    month_keys = stats.last_months(now, months, tz)
    template_order = [template_key] if template_key else list(all_templates)
    by_template = [
        g
        for g in stats.requests_by(requests, "template", now, tz=tz, order=template_order)
        if g.count or not template_key
    ]
    steps_by_role = stats.steps_by(steps, "role", now, tz=tz, order=ROLES)
    requests_by_month = {g.key: g for g in stats.requests_by(requests, "month", now, tz=tz, order=month_keys)}
    steps_by_month = stats.steps_by(steps, "month", now, tz=tz, order=month_keys)
    requests_by_department = {g.key: g for g in stats.requests_by(requests, "department", now, tz=tz)}
    steps_by_department = stats.steps_by(steps, "department", now, tz=tz, order=list(requests_by_department))
    departments = dict(db.session.execute(select(Department.id, Department.name)).all())

    def department_name(key) -> str:
        return departments.get(key, str(key)) if key is not None else _("No department")

    overall_requests = stats.requests_by(requests, "template", now, tz=tz, order=None)
    finished = sum(g.finished for g in overall_requests)
    durations = [g.avg_hours * g.finished for g in overall_requests if g.avg_hours is not None]
    summary = {
        "requests": len(requests),
        "in_progress": sum(1 for r in requests if r.state in stats.OPEN_REQUEST),
        "finished": finished,
        "avg_hours": sum(durations) / finished if finished else None,
        "step_share": stats.over_share(steps, now),
        "request_share": stats.over_share(requests, now),
    }
    name_header, hours_header, share_header = _("Name"), _("Average duration"), _("Over time limit")
    figures = {
        "template": charts.bar_chart(
            "chart-template",
            _("Average duration per template (finished requests)"),
            [charts.Bar(template_name(g.key), g.avg_hours, hours_text(g.avg_hours)) for g in by_template],
            label_header=_("Template"),
            value_header=hours_header,
            empty_text=_("No data"),
        ),
        "role": charts.bar_chart(
            "chart-role",
            _("Average duration per step (decided steps)"),
            [charts.Bar(role_label(g.key), g.avg_hours, hours_text(g.avg_hours)) for g in steps_by_role],
            label_header=_("Step"),
            value_header=hours_header,
            empty_text=_("No data"),
        ),
        "month": charts.bar_chart(
            "chart-month",
            _("Steps over time limit by month"),
            [charts.Bar(g.key, g.over_share, share_text(g.over_share)) for g in steps_by_month],
            max_value=1.0,
            tone="warn",
            label_header=_("Month"),
            value_header=share_header,
            empty_text=_("No data"),
        ),
        "department": charts.bar_chart(
            "chart-department",
            _("Steps over time limit by department"),
            [charts.Bar(department_name(g.key), g.over_share, share_text(g.over_share)) for g in steps_by_department],
            max_value=1.0,
            tone="warn",
            label_header=name_header,
            value_header=share_header,
            empty_text=_("No data"),
        ),
    }
    month_rows = [(g.key, requests_by_month[g.key], g) for g in steps_by_month]
    department_rows = [
        (department_name(g.key), requests_by_department.get(g.key, stats.Group(g.key)), g) for g in steps_by_department
    ]
    return render_template(
        "approvals/stats.html",
        months=months,
        periods=PERIODS,
        templates=all_templates,
        template_key=template_key,
        summary=summary,
        figures=figures,
        by_template=by_template,
        month_rows=month_rows,
        department_rows=department_rows,
        hours_text=hours_text,
        share_text=share_text,
    )
