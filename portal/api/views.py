"""JSON endpoints. Clients authenticate with `Authorization: Bearer …` or the browser session."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user

from portal.api.openapi import openapi_document
from portal.extensions import csrf
from portal.search import completion, pages, query
from portal.search import log as search_log
from portal.web import limits
from portal.web.access import public_kb
from portal.web.errors import error_response
from portal.web.request import current_viewer, search_text

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limits.api(bp)  # every call of one address together, on top of the per-route limits


@bp.before_request
def _csrf_for_session_clients():
    # A write signed in by the session cookie needs its CSRF token, whatever other headers come
    # with it (an Authorization header does not excuse a cookie); a bearer token alone needs none;
    # a caller with neither gets the plain 401 of the view, not a CSRF message.
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_user.is_authenticated and session.get("_user_id"):
        csrf.protect()


class BadParam(ValueError):
    pass


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParam(_("%(name)s must be a whole number.", name=name)) from None
    if not low <= value <= high:
        raise BadParam(_("%(name)s must be between %(low)d and %(high)d.", name=name, low=low, high=high))
    return value


def _clipped_notice(clipped: bool) -> dict:
    """Whether a query longer than the limit was searched on its first characters, and the words
    that say so (the same as the search page's)."""
    if not clipped:
        return {"clipped": False}
    n = current_app.config["SEARCH_MAX_QUERY_LENGTH"]
    notice = _("Searches are at most %(n)d characters long: the first %(n)d were searched.", n=n)
    return {"clipped": True, "notice": notice}


@bp.get("/search")
@limits.search
@public_kb
def search():
    q, clipped = search_text(request.args.get("q"))
    try:
        if not q:
            raise BadParam(_("q is required."))
        limit = _int_param("limit", 10, 1, current_app.config["API_MAX_LIMIT"])
        page = _int_param("page", 1, 1, 1000)
        kind = request.args.get("kind") or None
        if kind not in (None, *query.KINDS):
            raise BadParam(_("kind must be one of %(kinds)s.", kinds=", ".join(query.KINDS)))
    except BadParam as err:
        return error_response(400, str(err), "bad_request")
    category = request.args.get("category") or None
    edition = request.args.get("edition", "").strip() or None  # a manual edition: its chapters only
    exact = request.args.get("exact", "") in ("1", "true", "yes")
    results = pages.search_page(
        q,
        current_viewer(),
        token=search_log.session_token() if page == 1 else None,  # a later page: the same search, logged once
        source="api",
        with_related=False,
        kind=kind,
        category=category,
        page=page,
        pagelen=limit,
        exact=exact,
        edition=edition,
    ).results
    return jsonify(
        {
            "query": q,
            **_clipped_notice(clipped),
            "corrected": results.corrected,
            "total": results.total,
            "page": page,
            "results": [
                {
                    "id": hit.id,
                    "external_id": hit.external_id,
                    "kind": hit.kind,
                    "category": hit.category,
                    "title": hit.title,
                    "url": request.host_url.rstrip("/") + hit.url,
                    "snippet": str(hit.snippet_html),
                    "score": hit.score,
                }
                for hit in results.hits
            ],
        }
    )


@bp.get("/suggest")
@limits.suggest
@public_kb
def suggest():
    q, clipped = search_text(request.args.get("q"))
    if not q:
        return error_response(400, _("q is required."), "bad_request")
    items = completion.suggest(q, authenticated=current_user.is_authenticated)
    suggestions = [{"text": e.text, "kind": e.kind, "url": e.url} for e in items]
    return jsonify({"query": q, **_clipped_notice(clipped), "suggestions": suggestions})


@bp.get("/me")
def me():
    if not current_user.is_authenticated:
        return error_response(401)
    from portal.auth.services import user_summary

    return jsonify(user_summary(current_user))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
