"""Accounts administration (administrators): users, importing them, closing an account on leaving,
departments, regions, the org chart and API tokens; everyone's own tokens.

The models stay in portal.auth (users, departments, regions, tokens); this domain writes them
through its services, which the pages and the `portal users …` commands share.
"""

from __future__ import annotations


def init_app(app):
    from portal.accounts import cli, import_views, org_views, token_views, views  # noqa: F401  (routes)
    from portal.accounts.blueprint import bp
    from portal.accounts.labels import HELPERS
    from portal.auth.cli import users

    app.register_blueprint(bp)
    app.jinja_env.globals.update(HELPERS)
    cli.attach(users)
