"""Departments and regions (list, add, rename, a department's division leader) and the org chart."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import orgchart, queries, services
from portal.accounts.blueprint import bp
from portal.accounts.forms import DepartmentForm, UnitForm
from portal.accounts.views import show_errors
from portal.auth.models import Department, Region
from portal.core.errors import DomainError
from portal.extensions import db
from portal.web.access import roles_required

KINDS = {"department": Department, "region": Region}


def _form(kind: str, unit=None):
    form = DepartmentForm(obj=unit) if kind == "department" else UnitForm(obj=unit)
    if kind == "department":
        form.fill_choices(queries.leader_candidates())
        if unit is not None and request.method == "GET":
            form.division_leader_id.data = unit.division_leader_id or 0
    return form


def _save(kind: str, form, unit):
    leader = (form.division_leader_id.data or None) if kind == "department" else None
    return services.save_unit(kind, unit, form.code.data or "", form.name.data or "", current_user, leader_id=leader)


def _list(kind: str):
    form = _form(kind)
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            unit = _save(kind, form, None)
        except DomainError as err:
            show_errors(form, err, "code")
            status = err.status
        else:
            flash(_("%(name)s (%(code)s) added.", name=unit.name, code=unit.code), "success")
            return redirect(url_for(f"accounts.{kind}s"), 303)
    rows = queries.departments() if kind == "department" else queries.regions()
    return render_template(f"accounts/{kind}s.html", form=form, rows=rows), status


def _edit(kind: str, unit_id: int):
    unit = db.session.get(KINDS[kind], unit_id) or abort(404)
    form = _form(kind, unit)
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            _save(kind, form, unit)
        except DomainError as err:
            show_errors(form, err, "code")
            status = err.status
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(f"accounts.{kind}s"), 303)
    return render_template("accounts/unit.html", kind=kind, unit=unit, form=form), status


@bp.route("/admin/departments", methods=["GET", "POST"])
@roles_required("admin")
def departments():
    return _list("department")


@bp.route("/admin/departments/<int:unit_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_department(unit_id: int):
    return _edit("department", unit_id)


@bp.route("/admin/regions", methods=["GET", "POST"])
@roles_required("admin")
def regions():
    return _list("region")


@bp.route("/admin/regions/<int:unit_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_region(unit_id: int):
    return _edit("region", unit_id)


@bp.get("/admin/org-chart")
@roles_required("admin")
def org_chart():
    chart = orgchart.tree(queries.org_people())
    departments = queries.department_list()
    return render_template(
        "accounts/org_chart.html",
        sections=[(d, chart.get(d.id, [])) for d in departments],
        unplaced=chart.get(None, []),
    )
