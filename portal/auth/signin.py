"""Finishing a sign-in and a sign-out in the browser: the Flask session is emptied (so the session
and its CSRF token are new after sign-in), a server-side session is opened and Flask-Login is
given its key — never the user's id — for the session and the remember-me cookie."""

from __future__ import annotations

from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user

from portal.auth import sessions
from portal.auth.models import User


def _fresh_session() -> None:
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's per-request copy


def complete(user: User, *, remember: bool) -> None:
    _fresh_session()
    key = sessions.open_session(user, remember=remember)
    user.sign_in_key = key
    login_user(user, remember=remember, duration=sessions.policy().remember, fresh=True)


def sign_out() -> None:
    if current_user.is_authenticated:  # loads the user, and with it the server-side session
        sessions.end_current(reason="sign_out")
    logout_user()
    _fresh_session()
