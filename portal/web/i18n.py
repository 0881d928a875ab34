"""Locale and time-zone selection: the visitor's explicit choice, else Simplified Chinese."""

from __future__ import annotations

from flask import current_app, g, request

COOKIE = "portal_lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(COOKIE) if request else None
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def html_lang() -> str:
    """The value for <html lang>: zh-CN, en, ja."""
    return select_locale().replace("_", "-")


def init_app(app) -> None:
    @app.context_processor
    def _i18n_context():
        return {"html_lang": html_lang(), "languages": app.config["LANGUAGES"], "current_language": select_locale()}

    @app.before_request
    def _remember_locale():
        g.locale = select_locale()
