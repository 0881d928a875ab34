"""Curator pages of the search: analytics of the search log, synonyms and domain words."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.core.errors import InvalidInput
from portal.search import analytics, tuning
from portal.search.forms import TuningForm
from portal.search.views import bp
from portal.web.access import roles_required
from portal.web.request import current_viewer


@bp.get("/search/analytics")
@roles_required("curator")
def show_analytics():
    try:
        days = int(request.args.get("days", 30))
    except ValueError:
        days = 30
    if days not in analytics.PERIODS:
        days = 30
    return render_template(
        "search/analytics.html",
        days=days,
        periods=analytics.PERIODS,
        summary=analytics.summary(days),
        top=analytics.top_queries(days),
        zero=analytics.zero_result_queries(days),
    )


@bp.route("/search/tuning", methods=["GET", "POST"])
@roles_required("curator")
def edit_tuning():
    form = TuningForm()
    if request.method == "GET":
        form.synonyms.data, form.words.data = tuning.as_text()
    elif form.validate_on_submit():
        try:
            sets, words = tuning.save(form.synonyms.data or "", form.words.data or "", current_viewer())
        except InvalidInput as err:  # shown under its field; what was typed stays in the form
            for name, message in err.errors.items():
                form[name].errors = [message]
        else:
            flash(
                _(
                    "Saved %(sets)d synonym sets and %(words)d domain words. Search uses them within seconds.",
                    sets=sets,
                    words=words,
                ),
                "success",
            )
            return redirect(url_for("search.edit_tuning"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("search/tuning.html", form=form), status
