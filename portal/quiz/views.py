"""Trainee pages: the levels, taking a quiz, the result; the reviewers' queue. The question bank is
in bank_views.py, certificates and their verification in certificate_views.py, trainer reports
in report_views.py, all on this blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core import uploads as files
from portal.core.errors import DomainError
from portal.extensions import db
from portal.kb.models import Article
from portal.quiz import reviewing, services
from portal.quiz.models import Attempt, AttemptItem, Certificate
from portal.web.access import login_required, roles_required
from portal.web.htmx import render, wants_fragment
from portal.web.request import parse_page

bp = Blueprint("quiz", __name__, url_prefix="/quiz")


def own_attempt_or_404(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/")
@login_required
def index():
    levels = services.status(current_user)
    return render_template(
        "quiz/index.html",
        levels=levels,
        refusal=services.refusal,
        reviews=reviewing.pending_review_count() if services.is_reviewer(current_user) else None,
    )


@bp.post("/<level>/start")
@login_required
def start(level: str):
    if level not in services.LEVELS:
        abort(404)
    try:
        attempt = services.start(current_user, level)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("quiz.index")), 303
    return redirect(url_for("quiz.paper", attempt_id=attempt.id))


def _paper_context(attempt: Attempt, current: int | None) -> dict:
    items = attempt.items
    one = attempt.certification.layout == "one"
    if one:
        current = min(max(current or 0, 0), len(items) - 1)
    return {
        "attempt": attempt,
        "items": items,
        "one": one,
        "current": current,
        "seconds_left": services.seconds_left(attempt),
        "answered": sum(1 for i in items if _answered(i)),
    }


def _answered(item: AttemptItem) -> bool:
    return bool(item.response or item.text or item.upload_stored)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def paper(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    if services.hand_in_if_time_is_up(attempt, current_user):  # the time ran out while away
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    return render_template("quiz/paper.html", **_paper_context(attempt, request.args.get("q", type=int)))


@bp.post("/attempts/<int:attempt_id>/items/<int:position>")
@login_required
def answer(attempt_id: int, position: int):
    """Save one answer (htmx on every change, or the plain form's "save and next")."""
    attempt = own_attempt_or_404(attempt_id)
    found = files.from_request([request.files.get("upload")])
    try:
        item = services.save_answer(
            attempt,
            current_user,
            position,
            request.form.getlist("answer"),
            request.form.get("text", ""),
            upload=found[0] if found else None,
        )
    except DomainError as err:
        return _save_failed(attempt, position, err.message, err.status)
    if wants_fragment():
        return render_template(
            "quiz/_saved.html", item=item, attempt=attempt, answered=sum(1 for i in attempt.items if _answered(i))
        )
    go = request.form.get("go")
    if go == "submit":
        return redirect(url_for("quiz.confirm", attempt_id=attempt.id))
    target = position + 1 if go == "next" else position - 1 if go == "prev" else position
    return redirect(url_for("quiz.paper", attempt_id=attempt.id, q=target, _anchor=f"q{target}"))


def _save_failed(attempt: Attempt, position: int, message: str, status: int):
    if wants_fragment():
        return render_template("quiz/_saved.html", error=message, attempt=attempt, item=None), status
    flash(message, "error")
    if attempt.state != "in_progress" or status == 409:
        return redirect(
            url_for("quiz.result", attempt_id=attempt.id)
            if attempt.state != "in_progress"
            else url_for("quiz.paper", attempt_id=attempt.id, q=position)
        ), 303
    return redirect(url_for("quiz.paper", attempt_id=attempt.id, q=position)), 303


@bp.get("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    return render_template("quiz/confirm.html", **_paper_context(attempt, None))


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    try:
        services.submit(attempt, current_user)
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("quiz.result", attempt_id=attempt_id)), 303


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or (attempt.user_id != current_user.id and not services.is_reviewer(current_user)):
        abort(404)
    if attempt.state == "in_progress":
        return redirect(url_for("quiz.paper", attempt_id=attempt.id))
    ids = {a for i in attempt.items for a in (i.question.article_ids or [])}
    articles = {a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(ids)))} if ids else {}
    certificate = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        articles=articles,
        certificate=certificate,
        show_paper=attempt.user_id == current_user.id or services.is_reviewer(current_user),
    )


# --- reviewers ------------------------------------------------------------------------------


@bp.get("/reviews")
@roles_required("trainer")
def reviews():
    page = db.paginate(
        reviewing.review_queue(), page=parse_page(request.args.get("page")), per_page=20, error_out=False
    )
    return render("quiz/reviews.html", "quiz/_reviews.html", rows=page)


@bp.route("/reviews/<int:attempt_id>", methods=["GET", "POST"])
@roles_required("trainer")
def review(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    error, status = None, 200
    if request.method == "POST":
        try:
            reviewing.review(attempt, current_user, request.form.getlist("score"), request.form.get("comment", ""))
        except DomainError as err:
            error, status = err.message, err.status
        else:
            flash(
                _(
                    "Review saved: %(name)s %(result)s.",
                    name=attempt.user.display_name,
                    result=_("passed") if attempt.passed else _("did not pass"),
                ),
                "success",
            )
            return redirect(url_for("quiz.reviews"))
    return render_template("quiz/review.html", attempt=attempt, error=error, form=request.form), status


@bp.get("/attempts/<int:attempt_id>/items/<int:position>/upload")
@login_required
def upload(attempt_id: int, position: int):
    """A handed-in file: its trainee and the reviewers only."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or (attempt.user_id != current_user.id and not services.is_reviewer(current_user)):
        abort(404)
    item = next((i for i in attempt.items if i.position == position and i.upload_stored), None)
    if item is None:
        abort(404)
    path = files.path_of(item.upload_stored)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True, download_name=item.upload_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
