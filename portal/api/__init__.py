"""The JSON API under /api/v1 for chat robots and business systems."""

from __future__ import annotations


def init_app(app):
    from portal.api import approvals, tickets, views  # noqa: F401  (they add their routes to views.bp)
    from portal.extensions import csrf

    csrf.exempt(views.bp)  # bearer-token clients; session clients are checked in the blueprint
    app.register_blueprint(views.bp)
