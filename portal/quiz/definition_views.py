"""Trainers set up each level (draw, time, pass mark, attempts, prerequisite, validity) and grant
a trainee an extra attempt."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.errors import DomainError
from portal.extensions import db
from portal.kb.models import Manual
from portal.quiz import reviewing, services
from portal.quiz.definitions import LATE_POLICIES, LAYOUTS, MAX_DRAWS, PARTIAL_CREDIT
from portal.quiz.labels import level_label
from portal.quiz.views import bp
from portal.web.access import roles_required


@bp.route("/certifications/<level>", methods=["GET", "POST"])
@roles_required("trainer")
def definition(level: str):
    c = services.certification(level)
    if c is None:
        abort(404)
    errors, status = {}, 200
    form = request.form if request.method == "POST" else None
    rows = (
        list(
            zip(
                request.form.getlist("draw_kind"), request.form.getlist("draw_tags"), request.form.getlist("draw_count")
            )
        )
        if form
        else [(d.get("kind", ""), "，".join(d.get("tags", [])), str(d["count"])) for d in c.draws or []]
    )
    if form is not None:
        try:
            services.save_definition(c, request.form, rows)
        except DomainError as err:
            errors, status = getattr(err, "errors", None) or {"draws": err.message}, err.status
        else:
            flash(
                _(
                    "The %(level)s definition is saved; attempts started from now on follow it.",
                    level=level_label(level),
                ),
                "success",
            )
            return redirect(url_for("quiz.index"))
    rows = rows + [("", "", "")] * max(0, MAX_DRAWS - len(rows))
    editions = sorted({e for e in db.session.scalars(select(Manual.edition)) if e}, reverse=True)
    return render_template(
        "quiz/definition.html",
        c=c,
        form=form,
        rows=rows[:MAX_DRAWS],
        errors=errors,
        editions=editions,
        layouts=LAYOUTS,
        partial_credit=PARTIAL_CREDIT,
        late_policies=LATE_POLICIES,
        levels=services.LEVELS,
    ), status


@bp.post("/extra-attempts")
@roles_required("trainer")
def grant():
    try:
        reviewing.grant_attempt(
            current_user,
            request.form.get("username", ""),
            request.form.get("level", ""),
            request.form.get("reason", ""),
        )
    except DomainError as err:
        errors = getattr(err, "errors", None) or {"username": err.message}
        return render_template(
            "quiz/index.html",
            levels=services.status(current_user),
            refusal=services.refusal,
            reviews=reviewing.pending_review_count(),
            grant_errors=errors,
            grant_form=request.form,
        ), err.status
    flash(
        _(
            "%(name)s has one more attempt at the %(level)s level.",
            name=request.form.get("username"),
            level=level_label(request.form.get("level", "")),
        ),
        "success",
    )
    return redirect(url_for("quiz.index"))
