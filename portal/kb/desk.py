"""The curators' drafts desk: unpublished articles and why they were drafted, the review of one
(submit, publish, send back, unpublish), and an article's versions with their differences and
restore. Curators and administrators only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.core.errors import Conflict, DomainError
from portal.kb import diffing, labels, markdown, origins, queries, reviewing
from portal.kb.forms import ReviewForm
from portal.kb.models import Article, ArticleVersion
from portal.kb.views import bp
from portal.kb.workflow import Move, Origin
from portal.web.access import roles_required
from portal.web.htmx import render
from portal.web.request import parse_page

PER_PAGE = 20


@bp.get("/drafts")
@roles_required("curator")
def drafts():
    filters = queries.DraftFilter.parse(request.args)
    rows = queries.drafts(filters, current_user.id, parse_page(request.args.get("page")), PER_PAGE)
    ids = [a.id for a in rows.items]
    return render(
        "kb/drafts.html",
        "kb/_draft_rows.html",
        rows=rows,
        filters=filters,
        pager_args=filters.args(),
        tab_args={k: v for k, v in filters.args().items() if k != "status"},
        counts=queries.draft_counts(),
        categories=queries.list_categories(),
        origins=list(Origin),
        latest=queries.latest_versions(ids),
        tickets=origins.ticket_briefs(a.source_ticket_id for a in rows.items),
    )


def _load(article_id: int) -> Article:
    return queries.find_article(article_id) or abort(404)


def _review_page(article: Article, form: ReviewForm, status: int = 200, error: str = ""):
    ticket = origins.ticket_briefs([article.source_ticket_id]).get(article.source_ticket_id or 0)
    history = queries.versions(article.id)
    return render_template(
        "kb/review.html",
        article=article,
        form=form,
        error=error,
        html=markdown.render(article.body),
        ticket=ticket,
        moves=reviewing.allowed_moves(article, current_user),
        latest=history[0] if history else None,
        version_count=len(history),
        last_editor_id=reviewing.last_editor_id(article),
    ), status


@bp.route("/articles/<int:article_id>/review", methods=["GET", "POST"])
@roles_required("curator")
def review_article(article_id: int):
    """The draft as readers would see it, why it was drafted (a ticket's solution beside it), and
    the review steps this curator may take."""
    article = _load(article_id)
    form = ReviewForm()
    if request.method == "GET":
        return _review_page(article, form)
    if not form.validate_on_submit():  # a comment too long is said beside it; no step chosen, above
        return _review_page(article, form, 422, "" if form.note.errors else _("Choose a review step."))
    try:
        reviewing.move(article.id, form.action.data, current_user, note=form.note.data or "")
    except DomainError as err:  # nothing changed; the page says why and keeps the comment
        errors = getattr(err, "errors", None) or {}
        if "note" in errors:
            form.note.errors = [errors["note"]]
        return _review_page(article, form, err.status, "" if "note" in errors else err.message)
    done = {
        Move.SUBMIT: _("Submitted for review. Another curator publishes it or sends it back."),
        Move.PUBLISH: _("Published. Readers find it within seconds."),
        Move.SEND_BACK: _("Sent back to the author with your comment."),
        Move.UNPUBLISH: _("Unpublished: readers no longer see it; it is a draft again."),
    }[Move(form.action.data)]
    flash(done, "success")
    if form.action.data in (Move.PUBLISH, Move.SEND_BACK):  # the reviewer goes on with the next one
        return redirect(url_for("kb.drafts"), 303)
    return redirect(url_for("kb.review_article", article_id=article.id), 303)


@bp.get("/articles/<int:article_id>/versions")
@roles_required("curator")
def article_versions(article_id: int):
    article = _load(article_id)
    return render_template("kb/versions.html", article=article, versions=queries.versions(article.id))


def _version_or_404(article: Article, number: str | None) -> ArticleVersion:
    if not number or not number.isdigit() or len(number) > 9:
        abort(404)
    return queries.get_version(article.id, int(number)) or abort(404)


@bp.get("/articles/<int:article_id>/versions/diff")
@roles_required("curator")
def diff_versions(article_id: int):
    """What changed from version `a` to version `b` (any two, in either order)."""
    article = _load(article_id)
    old = _version_or_404(article, request.args.get("a"))
    new = _version_or_404(article, request.args.get("b"))
    fields = diffing.field_changes(_fields(old), _fields(new))
    rows = diffing.body_diff(old.body, new.body)
    return render_template(
        "kb/diff.html",
        article=article,
        old=old,
        new=new,
        fields=fields,
        rows=rows,
        counts=diffing.counts(rows),
        versions=queries.versions(article.id),
    )


def _fields(version: ArticleVersion) -> dict[str, str]:
    return {
        "title": version.title,
        "category": version.category_name,
        "kind": str(dict(labels.KIND_CHOICES).get(version.kind, version.kind)),
    }


@bp.post("/articles/<int:article_id>/versions/<int:number>/restore")
@roles_required("curator")
def restore_version(article_id: int, number: int):
    article = _load(article_id)
    if not FlaskForm().validate_on_submit():  # the CSRF token
        abort(400)
    try:
        version = reviewing.restore_version(article.id, number, current_user)
    except Conflict as err:  # nothing to restore (the same text, a category gone): say so on the list
        flash(err.message, "error")
        return redirect(url_for("kb.article_versions", article_id=article.id), 303)
    flash(_("Version %(n)d restored as version %(m)d.", n=number, m=version.number), "success")
    return redirect(url_for("kb.article_versions", article_id=article.id), 303)
