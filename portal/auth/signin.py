"""Finishing a sign-in and a sign-out in the browser: the Flask session is emptied (so the session
and its CSRF token are new after sign-in), a server-side session is opened and Flask-Login is
given its key — never the user's id — for the session and the remember-me cookie.

Between the password and the completed sign-in there may be a second step (second_factor.py):
the browser's session then holds only a pending sign-in — who, "remember me", where to go next,
when it started — and nobody is signed in until the step is passed."""

from __future__ import annotations

from flask import current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth import devices, sessions, two_factor
from portal.auth.models import User
from portal.auth.second_factor import Pending, Step
from portal.core.clock import utcnow

PENDING = "pending_sign_in"


def _fresh_session() -> None:
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's per-request copy


def complete(user: User, *, remember: bool, second_factor: str | None = None) -> None:
    _fresh_session()
    key = sessions.open_session(user, remember=remember, second_factor=second_factor)
    user.sign_in_key = key
    login_user(user, remember=remember, duration=sessions.policy().remember, fresh=True)


def sign_out() -> None:
    if current_user.is_authenticated:  # loads the user, and with it the server-side session
        sessions.end_current(reason="sign_out")
    logout_user()
    _fresh_session()


def device_tokens() -> list[str]:
    return devices.tokens_from(request.cookies.get(devices.COOKIE))


def after_password(user: User, *, remember: bool, next_url: str) -> Response:
    """The password was right: sign in now, or keep a pending sign-in and send the browser to
    its second step. May raise a DomainError (too many e-mailed codes a moment ago)."""
    started = two_factor.begin_sign_in(user, ip=request.remote_addr or "", device_tokens=device_tokens())
    step = started.decision.step
    if step is Step.NONE:
        complete(
            user, remember=remember, second_factor="trusted_browser" if started.decision.reason == "trusted" else None
        )
        return redirect(next_url, 303)
    _fresh_session()  # nothing from before the password survives, and nobody is signed in
    pending = Pending(
        user_id=user.id,
        step=step,
        started=utcnow(),
        remember=remember,
        next=next_url,
        reason=started.decision.reason,
        code_id=started.code_id,
    )
    save_pending(pending)
    return redirect(url_for("auth.enrol_sign_in" if step is Step.ENROL else "auth.verify_sign_in"), 303)


def pending() -> Pending | None:
    """The browser's pending sign-in, if there is one and it has not expired (an expired one is dropped)."""
    found = Pending.from_dict(session.get(PENDING))
    if found is not None and found.expired(utcnow()):
        drop_pending()
        return None
    return found


def save_pending(p: Pending) -> None:
    session[PENDING] = p.to_dict()


def drop_pending() -> None:
    session.pop(PENDING, None)


def set_trust_cookie(response: Response, token: str) -> Response:
    """The trusted-browser cookie: HttpOnly, SameSite=Lax, Secure like the session cookie, and
    it expires with the trust (30 days) — never a permanent cookie."""
    cfg = current_app.config
    response.set_cookie(
        devices.COOKIE,
        devices.cookie_with(device_tokens(), token),
        max_age=int(devices.TRUST_FOR.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=bool(cfg.get("SESSION_COOKIE_SECURE")),
        path="/",
    )
    return response
