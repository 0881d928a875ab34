"""The second step of a sign-in: deciding it (second_factor.step_needed on the account's facts),
then checking it — a code from the authenticator app, a recovery code (auth/authenticator.py) or
a code sent by e-mail for a first sign-in or one from a new network.

Wrong codes count toward the account's lockout (auth/lockout.py) exactly like wrong passwords,
on the server: a pending sign-in that is replayed from an old cookie gains no extra tries. Every
change and every failure is in the audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit import services as audit
from portal.auth import authenticator, devices, lockout, otp, sealing
from portal.auth.models import SignInCode, SignInSession, User
from portal.auth.second_factor import (
    Decision,
    Facts,
    Pending,
    Step,
    is_new_network,
    network_of,
    step_needed,
)
from portal.auth.services import AccountLocked
from portal.core import mail
from portal.core.clock import utcnow
from portal.core.errors import NotAllowed
from portal.core.uow import transactional, unit_of_work
from portal.extensions import db

log = logging.getLogger(__name__)
EMAIL_CODE_VALID = timedelta(minutes=10)
EMAIL_CODE_TRIES = 5
EMAIL_CODES_PER_WINDOW = 3  # codes sent to one account within EMAIL_CODE_VALID


def _code_key() -> bytes:
    return sealing.derive_key(current_app.config["SECRET_KEY"], "sign-in-code")


def _earlier_ips(user: User) -> list[str]:
    return list(db.session.scalars(select(SignInSession.ip).where(SignInSession.user_id == user.id).distinct()))


# --- the second step of a sign-in ----------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    decision: Decision
    code_id: int | None = None  # the e-mailed code, for Step.EMAIL


def begin_sign_in(user: User, *, ip: str, device_tokens: list[str], now: datetime | None = None) -> Started:
    """The password was right: decide the second step (second_factor.step_needed) and prepare it —
    an e-mailed code is sent now; a trusted browser is marked used; an unusual sign-in nothing
    could check is recorded. One unit of work."""
    now = now or utcnow()
    with unit_of_work():
        earlier = _earlier_ips(user)
        device = devices.trusted_device(user, device_tokens, now)
        facts = Facts(
            enrolled=authenticator.is_enrolled(user),
            required=authenticator.required_by(user) is not None,
            trusted_device=device is not None,
            first_sign_in=not earlier,
            new_network=is_new_network(ip, earlier),
            # a code can be e-mailed only to an address, through a mail server
            has_email=bool((user.email or "").strip()) and mail.configured(),
            check_unusual=bool(current_app.config.get("SIGNIN_NEW_NETWORK_CHECK")),
        )
        decision = step_needed(facts)
        code_id = None
        if device is not None and decision.step is Step.NONE:
            device.last_used_at = now
        if decision.step is Step.EMAIL:
            code_id = _issue_code(user, now, reason=decision.reason)
        elif decision.reason == "no_channel":
            reason = "first_sign_in" if facts.first_sign_in else "new_network"
            audit.record(
                "sign_in_unchecked",
                actor=user,
                subject=user,
                target=f"user:{user.username}",
                detail={"reason": reason, "network": network_of(ip), "mail_server": mail.configured()},
                now=now,
            )
    return Started(decision, code_id)


def pending_user(pending: Pending) -> User | None:
    user = db.session.get(User, pending.user_id)
    return user if user is not None and user.active else None


@dataclass(frozen=True)
class Verified:
    user: User
    method: str  # totp, recovery_code, email_code
    recovery_left: int | None = None  # after a recovery code: how many are left
    trust_token: str | None = None  # for the cookie, when the browser is now trusted


def verify_sign_in(
    pending: Pending, code: str, *, trust: bool = False, user_agent: str = "", now: datetime | None = None
) -> Verified:
    """Check the second step of a pending sign-in. A right code is used up (a TOTP time step, a
    recovery code, the e-mailed code); a wrong one is counted toward the lockout and raises
    WrongCode, or AccountLocked when it was one too many. With `trust` the browser is trusted."""
    now = now or utcnow()
    with unit_of_work():
        user = pending_user(pending)
        if user is None:
            raise NotAllowed(_("This sign-in can no longer be completed. Sign in again."))
        state = authenticator.lock_state(user)
        if lockout.locked(state, now):
            locked_until = state.locked_until
        else:
            method, left = _check_code(user, pending, code, now)
            if method is not None:
                token = devices.trust(user, user_agent=user_agent, now=now)[0] if trust else None
                return Verified(user=user, method=method, recovery_left=left, trust_token=token)
            locked_until = authenticator.count_failure(user, now, step=pending.step.value)
    # the unit of work has kept the count; now say no
    if locked_until is not None:
        raise AccountLocked(locked_until)
    raise authenticator.WrongCode()


def _check_code(user: User, pending: Pending, code: str, now: datetime) -> tuple[str | None, int | None]:
    if pending.step is Step.TOTP:
        if otp.looks_like_totp(code):
            return ("totp" if authenticator.use_totp(user, code, now) else None), None
        if otp.looks_like_recovery_code(code):
            left = authenticator.use_recovery_code(user, code, now)
            return ("recovery_code", left) if left is not None else (None, None)
        return None, None
    if pending.step is Step.EMAIL:
        return ("email_code" if _use_email_code(user, pending.code_id, code, now) else None), None
    return None, None


def _use_email_code(user: User, code_id: int | None, code: str, now: datetime) -> bool:
    row = db.session.get(SignInCode, code_id) if code_id is not None else None
    if row is None or row.user_id != user.id or row.used_at is not None or now >= row.expires_at:
        return False
    if row.attempts >= EMAIL_CODE_TRIES:
        return False
    if otp.email_code_digest(_code_key(), code, str(row.id)) != row.code_hash:
        row.attempts += 1
        return False
    row.used_at = now
    return True


# --- e-mailed codes ----------------------------------------------------------------------------


def _issue_code(user: User, now: datetime, *, reason: str) -> int:
    recent = (
        db.session.scalar(
            select(func.count(SignInCode.id)).where(
                SignInCode.user_id == user.id, SignInCode.created_at > now - EMAIL_CODE_VALID
            )
        )
        or 0
    )
    if recent >= EMAIL_CODES_PER_WINDOW:
        raise NotAllowed(_("Several codes were sent a moment ago. Use the newest one, or wait ten minutes."))
    # the older codes of this account stop working: only the newest one counts
    for old in db.session.scalars(
        select(SignInCode).where(SignInCode.user_id == user.id, SignInCode.used_at.is_(None))
    ):
        old.used_at = now
    code = otp.new_email_code()
    row = SignInCode(user_id=user.id, code_hash="", created_at=now, expires_at=now + EMAIL_CODE_VALID)
    db.session.add(row)
    db.session.flush()
    row.code_hash = otp.email_code_digest(_code_key(), code, str(row.id))
    audit.record(
        "sign_in_code_sent",
        actor=user,
        subject=user,
        target=f"user:{user.username}",
        detail={"reason": reason},
        now=now,
    )
    _send_code(user, code, row.expires_at)
    return row.id


@transactional
def resend_code(pending: Pending, *, now: datetime | None = None) -> int:
    """A new e-mailed code for a pending sign-in (the earlier one stops working)."""
    user = pending_user(pending)
    if user is None or pending.step is not Step.EMAIL:
        raise NotAllowed(_("This sign-in can no longer be completed. Sign in again."))
    return _issue_code(user, now or utcnow(), reason=pending.reason or "resent")


def _send_code(user: User, code: str, expires_at: datetime) -> None:
    """The one place an e-mailed sign-in code leaves the portal: the durable job "mail.send",
    queued when the unit of work commits."""
    subject = _("Your sign-in code")
    text = _(
        "Your sign-in code is %(code)s. It is valid until %(time)s and can be used once.\n\n"
        "If you did not just sign in, someone knows your password: change it at once.",
        code=code,
        time=format_datetime(expires_at, "short"),
    )
    assert user.email is not None  # callers send codes only to accounts with an address
    mail.send_later(user.email, subject, text)


def masked_email(user: User) -> str:
    """Where the code went, without showing the whole address: z•••@example.com."""
    local, _at, domain = (user.email or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"
