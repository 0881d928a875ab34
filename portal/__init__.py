"""OA self-service portal: the application factory."""

from __future__ import annotations

from flask import Flask

from portal import config as _config
from portal.config import REPO_ROOT


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH") or _config.instance_path(),
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    _config.configure(app, config)

    from portal.core import jobs, mail  # noqa: F401  (mail declares the "mail.send" job)
    from portal.extensions import babel, csrf, db, login_manager, migrate
    from portal.web import htmx, i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(REPO_ROOT / "portal" / "translations"),
    )
    login_manager.init_app(app)
    htmx.init_app(app)
    jobs.init_app(app)

    from portal import accounts, api, approvals, audit, auth, kb, notify, quiz, search, tickets, web

    for module in (web, auth, audit, kb, search, tickets, notify, approvals, quiz, accounts, api):
        module.init_app(app)

    from portal.search import analysis

    analysis.warm_up()  # load jieba's dictionary now, so no request pays for it
    return app
