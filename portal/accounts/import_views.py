"""Importing accounts from an HR system's .xlsx or .csv: upload and dry run (every bad row named
by row and column), then the import of the checked file as one unit of work, and the template."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import importing, queries, sheet
from portal.accounts.blueprint import bp
from portal.accounts.forms import ImportForm
from portal.core.errors import Conflict, DomainError
from portal.core.uploads import clean_name
from portal.web.access import roles_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(status: int = 200, **context):
    context.setdefault("form", ImportForm())
    context.setdefault("problem", None)
    context.setdefault("report", None)
    return render_template(
        "accounts/import.html",
        columns=sheet.COLUMNS,
        departments={d.id: d for d in queries.department_list()},
        regions={r.id: r for r in queries.region_list()},
        **context,
    ), status


@bp.get("/admin/users/import")
@roles_required("admin")
def import_users():
    return _page()


@bp.post("/admin/users/import")
@roles_required("admin")
def check_import():
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(400, form=form, problem=_("The form has expired. Reload the page and choose the file again."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, form=form, problem=_("Choose the file to import (.xlsx or .csv)."))
    filename, data = clean_name(upload.filename), upload.read()
    try:
        report = importing.check_import(filename, data)
    except DomainError as err:
        return _page(422, form=form, problem=err.message)
    if not report.ok:
        return _page(422, form=form, report=report)
    return _page(form=form, report=report, key=importing.stash_import(data))


@bp.post("/admin/users/import/confirm")
@roles_required("admin")
def confirm_import():
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(400, problem=_("The form has expired. Reload the page and choose the file again."))
    filename = clean_name(request.form.get("filename", ""))
    try:
        done = importing.import_stashed(request.form.get("key", ""), filename, current_user)
    except importing.ImportRejected as err:  # something changed since the dry run: nothing imported
        return _page(422, report=err.report, problem=err.message)
    except Conflict as err:
        return _page(409, problem=err.message)
    return render_template("accounts/imported.html", done=done, filename=filename)


@bp.get("/admin/users/import/template.<any(xlsx, csv):fmt>")
@roles_required("admin")
def import_template(fmt: str):
    if fmt == "xlsx":
        body, mimetype = sheet.template_xlsx(), XLSX
    else:
        body, mimetype = sheet.template_csv(), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=accounts-template.{fmt}"
    return response
