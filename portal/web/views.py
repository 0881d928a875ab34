"""Site-wide routes that belong to no domain: language switch and health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, request

from portal.extensions import db
from portal.web.i18n import COOKIE
from portal.web.safety import safe_next

bp = Blueprint("web", __name__)


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")), 303)
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return jsonify(status="ok")
