"""Reading, voting on and editing knowledge-base articles; categories and manuals."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.errors import DomainError
from portal.kb import editions, labels, markdown, queries, services
from portal.kb.forms import ArticleForm, CategoryForm
from portal.kb.models import Article, Manual
from portal.search import analysis, snippets
from portal.search import log as search_log
from portal.search.documents import make_key
from portal.search.related import Related, related
from portal.web.access import public_kb, roles_required
from portal.web.htmx import render, wants_fragment
from portal.web.request import current_viewer, parse_page, search_text

bp = Blueprint("kb", __name__, url_prefix="/kb")
RELATED_LIMIT = 5


def _is_curator() -> bool:
    return current_user.is_authenticated and current_user.has_any_role("curator", "admin")


def load_article_or_404(article_id: int) -> Article:
    article = queries.get_article(article_id, authenticated=current_user.is_authenticated, is_curator=_is_curator())
    if article is None or (editions.is_draft(article.manual) and not _is_curator()):
        abort(404)
    return article


def edition_notice(manual: Manual | None, chapter: Article | None = None) -> dict | None:
    """For a page of a non-current edition: which edition is current, and where this chapter
    (same position) is in it."""
    if manual is None or manual.is_current:
        return None
    current = editions.current_of(manual.title)
    target = editions.counterpart(chapter, current) if current is not None and chapter else None
    if target is not None and not (target.published or _is_curator()):
        target = None
    return {"state": editions.state(manual), "edition": manual.edition, "current": current, "chapter": target}


def _voter() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if "voter" not in session:
        session["voter"] = secrets.token_hex(12)
    return f"anon:{session['voter']}"


def related_questions(article: Article):
    viewer = current_viewer()
    curated = [
        Related(make_key(services.PREFIX, a.id), a.title, url_for("kb.show_article", article_id=a.id), "curated")
        for a in queries.linked_articles(article, authenticated=current_user.is_authenticated, is_curator=_is_curator())
    ]
    return related(
        make_key(services.PREFIX, article.id),
        f"{article.title} {article.body_text[:200]}",
        viewer,
        curated=curated,
        limit=RELATED_LIMIT,
    )


def searched_terms() -> list[str]:
    """The words of the search a result was opened from (what was searched instead, when the
    query was repaired), analysed as the search analyses them: the page marks them."""
    text = request.args.get("hl") or request.args.get("q") or ""
    return analysis.terms(text[: current_app.config["SEARCH_MAX_QUERY_LENGTH"]]) if text.strip() else []


@bp.get("/articles/<int:article_id>")
@public_kb
def show_article(article_id: int):
    article = load_article_or_404(article_id)
    click = None
    if request.args.get("s", "").isdigit():  # opened from a search result: the click is logged too
        click = services.Click(search_log.session_token(), int(request.args["s"]), parse_page(request.args.get("r")))
    services.record_view(article, click)
    chapters = article.manual.chapters if article.manual else []
    terms = searched_terms()
    html, marks = snippets.mark_html(markdown.render(article.body), terms)
    return render_template(
        "kb/article.html",
        article=article,
        html=html,
        marks=marks,
        title_html=snippets.highlight(article.title, terms, width=None),
        toc=markdown.toc(article.body),
        chapters=chapters,
        related=related_questions(article),
        edition_notice=edition_notice(article.manual, article),
        choice=queries.voter_choice(article, _voter()),
        q=search_text(request.args.get("q"))[0],
    )


@bp.post("/articles/<int:article_id>/vote")
@public_kb
def vote(article_id: int):
    article = load_article_or_404(article_id)
    answer = request.form.get("helpful")
    if answer not in ("yes", "no"):
        abort(400)
    services.vote(article, _voter(), answer == "yes")
    q = search_text(request.form.get("q"))[0]  # what was searched: a ticket after "no" starts from it
    if wants_fragment():
        return render_template("kb/_vote.html", article=article, choice=answer == "yes", q=q)
    flash(_("Thank you for your feedback."), "success")
    return redirect(url_for("kb.show_article", article_id=article.id, q=q or None), 303)


@bp.get("/categories/<int:category_id>")
@public_kb
def show_category(category_id: int):
    category = queries.get_category(category_id) or abort(404)
    pagination = queries.category_articles(
        category, authenticated=current_user.is_authenticated, page=parse_page(request.args.get("page"))
    )
    return render("kb/category.html", "kb/_category_list.html", category=category, pagination=pagination)


@bp.get("/manuals/<int:manual_id>")
@public_kb
def show_manual(manual_id: int):
    manual = queries.get_manual(manual_id) or abort(404)
    curator = _is_curator()
    if editions.is_draft(manual) and not curator:
        abort(404)
    chapters = [
        c
        for c in manual.chapters
        if c.published or curator
        if c.visibility == "public" or current_user.is_authenticated
    ]
    return render_template(
        "kb/manual.html",
        manual=manual,
        state=editions.state(manual),
        chapters=[(c, markdown.toc(c.body)) for c in chapters],
        editions=[(m, editions.state(m)) for m in editions.editions_of(manual, drafts=curator)],
        edition_notice=edition_notice(manual),
        is_curator=curator,
    )


@bp.get("/manuals/editions/<path:edition>")
@public_kb
def show_edition(edition: str):
    """A stable address by edition label (a quiz links to the edition it was written for)."""
    manual = editions.find(edition, request.args.get("title") or None) or abort(404)
    if editions.is_draft(manual) and not _is_curator():
        abort(404)
    return redirect(url_for("kb.show_manual", manual_id=manual.id))


@bp.post("/manuals/<int:manual_id>/editions")
@roles_required("curator")
def new_edition(manual_id: int):
    """Copy this edition's chapters into a new draft edition that curators then edit."""
    source = queries.get_manual(manual_id) or abort(404)
    try:
        copy = services.new_edition(source, request.form.get("edition", ""), author=current_user)
    except DomainError as err:  # nothing was copied; say why on the manual's page
        flash(err.message, "error")
        return redirect(url_for("kb.show_manual", manual_id=source.id), 303)
    flash(
        _(
            "Edition %(edition)s created as a draft copy; edit its chapters, then make it current.",
            edition=copy.edition,
        ),
        "success",
    )
    return redirect(url_for("kb.show_manual", manual_id=copy.id), 303)


@bp.post("/manuals/<int:manual_id>/publish")
@roles_required("curator")
def publish_edition(manual_id: int):
    manual = queries.get_manual(manual_id) or abort(404)
    services.publish_edition(manual)
    flash(
        _("Edition %(edition)s is now the current one; search uses it from now on.", edition=manual.edition), "success"
    )
    return redirect(url_for("kb.show_manual", manual_id=manual.id), 303)


def _article_form(article: Article | None) -> ArticleForm:
    form = ArticleForm(obj=article)
    form.category_id.choices = [(c.id, c.name) for c in queries.list_categories()]
    form.manual_id.choices = [(0, labels.NO_MANUAL)] + [
        (m.id, f"{m.title} {m.edition}") for m in queries.list_manuals()
    ]
    return form


def _save(form: ArticleForm, article: Article | None):
    data = services.ArticleInput(
        title=form.title.data or "",
        body=form.body.data or "",
        kind=form.kind.data,
        category_id=form.category_id.data,
        visibility=form.visibility.data,
        manual_id=form.manual_id.data or None,
        position=form.position.data or 0,
        related_ids=form.related_ids(),
        origin=form.origin.data or "curator",
        origin_query=form.origin_query.data or "",
        origin_article_id=int(form.origin_article.data) if form.origin_article.data else None,
    )
    return services.save_article(data, current_user, article)


@bp.route("/articles/new", methods=["GET", "POST"])
@roles_required("curator")
def new_article():
    return _edit(None)


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
@roles_required("curator")
def edit_article(article_id: int):
    return _edit(queries.find_article(article_id) or abort(404))


def _edit(article: Article | None):
    form = _article_form(article)
    if request.method == "GET" and article is not None:
        form.manual_id.data = article.manual_id or 0
        form.related.data = ", ".join(
            str(a.id) for a in queries.linked_articles(article, authenticated=True, is_curator=True)
        )
    elif request.method == "GET":
        _prefill_origin(form)
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            saved = _save(form, article)
        except DomainError as err:  # nothing was saved; the form keeps what was typed
            _show_error(form, err)
            status = err.status
        else:
            if not saved.published:  # a draft: its review page offers the next step
                flash(_("Saved as a draft. Submit it for review when it is ready."), "success")
                return redirect(url_for("kb.review_article", article_id=saved.id), 303)
            flash(_("Saved. The article is searchable within seconds."), "success")
            return redirect(url_for("kb.show_article", article_id=saved.id), 303)
    return render_template(
        "kb/edit.html", form=form, article=article, preview_html=markdown.render(form.body.data or "")
    ), status


def _prefill_origin(form: ArticleForm) -> None:
    """A new article opened from a zero-result search (?query=) or from readers' "not solved" on
    an article (?feedback=<id>) says so on the drafts desk; ?title= only fills in the title."""
    query = " ".join(request.args.get("query", "").split())[:200]
    feedback = request.args.get("feedback", "")
    source = queries.find_article(int(feedback)) if feedback.isdigit() and len(feedback) < 10 else None
    if query:
        form.origin.data, form.origin_query.data, form.title.data = "query", query, query
    elif source is not None:
        form.origin.data, form.origin_article.data, form.title.data = "feedback", str(source.id), source.title
    else:
        form.title.data = request.args.get("title", "")[:200]


@bp.post("/preview")
@roles_required("curator")
def preview():
    return render_template("kb/_preview.html", html=markdown.render(request.form.get("body", "")))


@bp.route("/categories", methods=["GET", "POST"])
@roles_required("curator")
def manage_categories():
    form = CategoryForm()
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.create_category(form.name.data, form.description.data or "")
        except DomainError as err:
            _show_error(form, err, default="name")
            status = err.status
        else:
            flash(_("Category added."), "success")
            return redirect(url_for("kb.manage_categories"), 303)
    return render_template(
        "kb/categories.html", form=form, categories=queries.home_overview(authenticated=True)["categories"]
    ), status


def _show_error(form, err: DomainError, default: str | None = None) -> None:
    """A refusal beside the field it is about (or above the form): nothing typed is lost."""
    fields = getattr(err, "errors", None) or {default or "": err.message}
    for name, message in fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [message]
        else:
            flash(message, "error")
