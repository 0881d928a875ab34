"""Signed-in browsers, kept on the server: opened at sign-in, checked on every request, ended by
signing out, by the idle timeout, by a password change, by closing the account, or by the user or
an administrator ("sign out everywhere"). A copied cookie is worth nothing once its row has ended."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.audit import services as audit
from portal.auth import devices, tokens
from portal.auth.models import SignInSession, User
from portal.auth.roles import manages_account
from portal.auth.session_policy import Policy, expired, needs_touch
from portal.core.clock import utcnow
from portal.core.errors import NotAllowed, NotFound
from portal.core.uow import transactional, unit_of_work
from portal.extensions import db


def policy() -> Policy:
    cfg = current_app.config
    return Policy(
        idle=timedelta(minutes=float(cfg["SESSION_IDLE_MINUTES"])),
        remember=timedelta(days=float(cfg["SESSION_REMEMBER_DAYS"])),
    )


@transactional
def open_session(user: User, *, remember: bool, second_factor: str | None = None, now: datetime | None = None) -> str:
    """A new row for this browser and the key its cookies will carry; the sign-in is recorded
    (with the second step it passed, if any) and the count of failed sign-ins cleared — only
    here, once a sign-in is complete, so wrong second-factor codes after a right password keep
    counting toward the lockout."""
    now = now or utcnow()
    if user.failed_sign_ins or user.failed_since is not None or user.locked_until is not None:
        user.failed_sign_ins, user.failed_since, user.locked_until = 0, None, None  # lockout.after_success()
    key = secrets.token_urlsafe(32)
    ip, agent = ("", "")
    if has_request_context():
        ip, agent = request.remote_addr or "", (request.user_agent.string or "")[:200]
    row = SignInSession(
        key_hash=tokens.digest(key),
        user=user,
        created_at=now,
        last_seen_at=now,
        remember=remember,
        ip=ip,
        user_agent=agent,
    )
    db.session.add(row)
    detail: dict = {"remember": remember}
    if second_factor:
        detail["second_factor"] = second_factor
    audit.record("sign_in", actor=user, subject=user, target=f"user:{user.username}", detail=detail, now=now)
    return key


def load(key: str, *, now: datetime | None = None) -> User | None:
    """The user of the browser whose cookie carries `key`, if its session is still open; the
    session is remembered in `g` for `current()`. Ends a session found expired."""
    if not key or len(key) > 100:
        return None
    row = db.session.scalar(select(SignInSession).where(SignInSession.key_hash == tokens.digest(key)))
    if row is None or row.ended_at is not None or not row.user.active:
        return None
    now = now or utcnow()
    pol = policy()
    if expired(row.created_at, row.last_seen_at, row.remember, now, pol):
        with unit_of_work():
            row.ended_at, row.end_reason = now, "expired"
        return None
    if needs_touch(row.last_seen_at, now, pol):
        with unit_of_work():
            row.last_seen_at = now  # coarse: a busy page does not write on every request
    g.sign_in_session = row
    return row.user


def current() -> SignInSession | None:
    return g.get("sign_in_session") if has_request_context() else None


@transactional
def end_current(*, reason: str = "sign_out") -> None:
    row = current()
    if row is None or row.ended_at is not None:
        return
    row.ended_at, row.end_reason = utcnow(), reason
    audit.record("sign_out", actor=row.user, subject=row.user, target=f"user:{row.user.username}")


def active_for(user: User, *, now: datetime | None = None) -> list[SignInSession]:
    """The user's open sessions, newest first (expired ones are left out)."""
    now, pol = now or utcnow(), policy()
    rows = db.session.scalars(
        select(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None))
        .order_by(SignInSession.last_seen_at.desc())
    )
    return [r for r in rows if not expired(r.created_at, r.last_seen_at, r.remember, now, pol)]


@transactional
def revoke(session_id: int, *, by: User) -> SignInSession:
    """End one session: its owner or an administrator."""
    row = db.session.get(SignInSession, session_id)
    if row is None or not manages_account(by, row.user_id):
        raise NotFound(_("No such session."))
    if row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), "revoked"
        audit.record(
            "session_revoked",
            actor=by,
            subject=row.user,
            target=f"session:{row.id}",
            detail={"ip": row.ip, "started": row.created_at.isoformat(timespec="seconds")},
        )
    return row


def revoke_all(user: User, *, by: User | None, keep_current: bool = False, reason: str = "revoked") -> int:
    """End every open session of `user` (all but the caller's own with keep_current) and forget
    every browser it trusted (all of them, the caller's too: its next sign-in takes the second
    step again) — joins the caller's unit of work, so a password change or a closed account ends
    them in the same commit. Returns how many sessions ended."""
    if by is not None and not manages_account(by, user.id):
        raise NotAllowed(_("Only the account's owner or an administrator may end its sessions."))
    keep = current()
    stmt = update(SignInSession).where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None))
    if keep_current and keep is not None and keep.user_id == user.id:
        stmt = stmt.where(SignInSession.id != keep.id)
    ended = db.session.execute(stmt.values(ended_at=utcnow(), end_reason=reason)).rowcount or 0
    if ended:
        audit.record(
            "sessions_revoked",
            actor=by,
            subject=user,
            target=f"user:{user.username}",
            detail={"sessions": ended, "reason": reason, "kept_current": keep_current},
        )
    devices.forget_devices(user, by=by, reason=reason)
    return ended


@transactional
def sign_out_everywhere(user: User, *, by: User, keep_current: bool = False) -> int:
    return revoke_all(user, by=by, keep_current=keep_current, reason="revoked")
