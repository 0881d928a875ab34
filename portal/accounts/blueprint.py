"""The accounts blueprint: administrators' pages under /admin (views.py, import_views.py,
org_views.py, token_views.py) and everyone's own tokens under /account."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.after_request
def _never_cached(response):
    """These pages show accounts, initial passwords and tokens: no cache keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response
