"""Getting back in and keeping passwords fresh: the e-mailed reset link and the expiry reminder.

A reset link carries a random token (secrets.token_urlsafe); only its SHA-256 is stored, in
password_resets. It works once, for PORTAL_PASSWORD_RESET_MINUTES (30), and a newer link or any
new password ends it. Asking for one answers the same whatever was typed, and does the same work,
so neither the page nor its timing tells which user names or addresses exist.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from portal.audit import services as audit
from portal.auth import lockout, passwords, sessions, tokens
from portal.auth.models import PasswordReset, User
from portal.auth.services import _set_lock_state, end_reset_links, password_policy, set_password
from portal.core import mail
from portal.core.clock import utcnow
from portal.core.errors import DomainError
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify.services import notify

CHANGE_PAGE = "/password"  # auth.change_password, for links written outside a request
MAX_ACCOUNTS_PER_ADDRESS = 5  # several accounts may share one address; each gets its own link


class ResetLinkInvalid(DomainError):
    """The link is unknown, used, replaced by a newer one, or expired: one answer for all."""

    status = 410

    def __init__(self) -> None:
        super().__init__(_("This link is no longer valid: it was used already, replaced by a newer one, or expired."))


def reset_minutes() -> int:
    return int(current_app.config["PASSWORD_RESET_MINUTES"])


def _accounts_for(login: str) -> list[User]:
    """The active accounts with an e-mail address this user name or address names."""
    key = login.strip().lower()
    if not key:
        return []
    rows = db.session.scalars(
        select(User)
        .where(or_(User.username == key, func.lower(User.email) == key))
        .order_by(User.id)
        .limit(MAX_ACCOUNTS_PER_ADDRESS)
    )
    return [u for u in rows if u.active and u.email]


def _link(token: str) -> str:
    """The absolute link: PORTAL_BASE_URL when set (never trust the Host header a stranger sent
    with the request in production), else the request's own host (the embedded setup)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for("auth.reset_password", token=token)
    return url_for("auth.reset_password", token=token, _external=True)


def _reset_mail(user: User | None, token: str, locale: str) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language."""
    with force_locale(locale):
        context = {
            "user": user,
            "display_name": user.display_name if user else "",
            "username": user.username if user else "",
            "link": _link(token),
            "minutes": reset_minutes(),
            "lang": locale.replace("_", "-"),
        }
        subject = _("Reset your OA Help Centre password")
        text = render_template("auth/email/password_reset.txt", **context)
        html = render_template("auth/email/password_reset.html", **context)
    return subject, text, html


def request_password_reset(login: str, *, locale: str, now: datetime | None = None) -> None:
    """Send a reset link to every active account with an address that `login` (a user name or an
    e-mail address) names. Returns nothing and renders the message even when nobody matched, so
    the answer and its cost are the same either way. Earlier links of those users end. The
    e-mail goes out after the commit, through the "mail.send" job."""
    now = now or utcnow()
    with unit_of_work():
        accounts = _accounts_for(login)
        if not accounts:
            _reset_mail(None, secrets.token_urlsafe(32), locale)  # the same work, thrown away
            return
        for user in accounts:
            token = secrets.token_urlsafe(32)
            end_reset_links(user.id, now)
            db.session.add(
                PasswordReset(
                    user_id=user.id,
                    token_hash=tokens.digest(token),
                    created_at=now,
                    expires_at=now + timedelta(minutes=reset_minutes()),
                )
            )
            subject, text, html = _reset_mail(user, token, locale)
            assert user.email is not None  # _accounts_for keeps only accounts with an address
            mail.send_later(user.email, subject, text, html)
            audit.record("password_reset_requested", subject=user, target=f"user:{user.username}")


def _open_link(token: str, now: datetime) -> PasswordReset:
    row = (
        db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == tokens.digest(token)))
        if token
        else None
    )
    if row is None or row.used_at or row.invalidated_at or now >= row.expires_at or not row.user.active:
        raise ResetLinkInvalid()
    return row


def check_reset_link(token: str, now: datetime | None = None) -> User:
    """The account a still-valid link is for (ResetLinkInvalid otherwise); nothing is used up."""
    return _open_link(token, now or utcnow()).user


def reset_with_link(token: str, new: str, *, now: datetime | None = None) -> User:
    """Set a new password through a valid link (the policy applies; a refused password leaves the
    link valid for another try). The link is used up, any sign-in lock ends (the owner of the
    mailbox asked) and every session of the user ends."""
    now = now or utcnow()
    with unit_of_work():
        row = _open_link(token, now)
        user = row.user
        # claimed by a conditional update, so two requests racing with one link cannot both win
        claimed = db.session.execute(
            update(PasswordReset)
            .where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None), PasswordReset.invalidated_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise ResetLinkInvalid()
        set_password(user, new, by=user, initial=False, action="password_reset", field="new")
        _set_lock_state(user, lockout.after_success())
        sessions.revoke_all(user, by=user, keep_current=False, reason="password")
    return user


def send_expiry_reminders(now: datetime | None = None) -> int:
    """The daily job: one in-portal notification per password entering its reminder period
    (PORTAL_PASSWORD_REMIND_DAYS before it expires). Returns how many were sent."""
    now = now or utcnow()
    policy = password_policy()
    if not policy.max_age_days:
        return 0
    starts = now - timedelta(days=policy.max_age_days - policy.remind_days)
    sent = 0
    with unit_of_work():
        candidates = db.session.scalars(
            select(User).where(
                User.active.is_(True),
                User.password_changed_at.is_not(None),
                User.password_changed_at <= starts,
                or_(User.password_reminded_at.is_(None), User.password_reminded_at < User.password_changed_at),
            )
        )
        for user in candidates:
            state = passwords.expiry(user.password_changed_at, now, policy)
            if not passwords.reminder_due(state, user.password_changed_at, user.password_reminded_at):
                continue
            assert state.expires_at is not None
            title = _("Your password expires on %(date)s. Change it before then.", date=format_date(state.expires_at))
            notify(user.id, "password_expiry", title, CHANGE_PAGE, now=now)
            user.password_reminded_at = now
            sent += 1
    return sent
