"""The home page: one search box over the whole knowledge base."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from portal.search import completion, documents, pages, query
from portal.search import log as search_log
from portal.web import limits
from portal.web.access import public_kb
from portal.web.htmx import render
from portal.web.request import current_viewer, parse_page, search_text

bp = Blueprint("search", __name__)
EDITION_MAX = 60  # the longest manual edition label


@bp.get("/")
@limits.search
@public_kb
def home():
    q, clipped = search_text(request.args.get("q"))
    kind = request.args.get("kind") or None
    category = request.args.get("category") or None
    if kind not in (None, *query.KINDS):
        kind = None
    edition = " ".join(request.args.get("edition", "").split())[:EDITION_MAX] or None
    page = parse_page(request.args.get("page"))
    exact = request.args.get("exact") == "1"
    found = None
    if q:
        found = pages.search_page(
            q,
            current_viewer(),
            token=search_log.session_token(),
            kind=kind,
            category=category,
            page=page,
            pagelen=current_app.config["SEARCH_PAGE_SIZE"],
            with_facets=True,
            exact=exact,
            edition=edition,
        )
    context = {
        "q": q,
        "kind": kind,
        "category": category,
        "exact": exact,
        "results": found.results if found else None,
        "clipped": clipped,
        "edition": edition,
    }
    if found is not None:
        context.update(related=found.related, search_id=found.search_id)
    elif not q:
        context.update(documents.home_overview(current_user.is_authenticated))
    return render("search/home.html", "search/_results.html", **context)


@bp.get("/search/suggest")
@limits.suggest
@public_kb
def suggest():
    q, _clipped = search_text(request.args.get("q"))
    items = completion.suggest(q, authenticated=current_user.is_authenticated) if q else []
    return render_template("search/_suggestions.html", items=items, q=q)
