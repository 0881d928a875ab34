"""Authenticator apps: setting one up (a QR code, confirmed by a first code), the recovery codes
that stand in for it, turning it off, who must use one (PORTAL_2FA_REQUIRED_ROLES or an
administrator for one account), and using a code — each TOTP time step once.

The secret is sealed (auth/sealing.py, a key derived from the application's secret key) and shown
only while it is being set up. A change of the second factor needs a current code or the password;
a wrong one counts toward the account's lockout like a wrong password. Every change is audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from portal.audit import services as audit
from portal.auth import lockout, otp, sealing
from portal.auth.models import RecoveryCode, TotpCredential, User
from portal.auth.second_factor import required_by_role
from portal.auth.services import AccountLocked, lockout_policy
from portal.core.clock import utcnow
from portal.core.errors import DomainError, InvalidInput, NotAllowed
from portal.core.uow import transactional, unit_of_work
from portal.extensions import db

log = logging.getLogger(__name__)


class WrongCode(InvalidInput):
    """The code typed was not right (or was used already); it has been counted."""

    def __init__(self, message: str | None = None):
        super().__init__({"code": message or _("That code is not right. Check it and try again.")})


# --- configuration and facts ------------------------------------------------------------------


def required_roles() -> tuple[str, ...]:
    return tuple(current_app.config.get("2FA_REQUIRED_ROLES") or ())


def required_by(user: User) -> str | None:
    """Why two-factor sign-in is required of `user`: "account" (an administrator), "role", or None."""
    if user.two_factor_required:
        return "account"
    if required_by_role(user.roles, required_roles()):
        return "role"
    return None


def credential(user: User) -> TotpCredential | None:
    return db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user.id))


def is_enrolled(user: User) -> bool:
    row = credential(user)
    return row is not None and row.confirmed_at is not None and row.secret is not None


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


@dataclass(frozen=True)
class Status:
    enrolled: bool
    since: datetime | None
    required_by: str | None  # "account", "role" or None
    recovery_left: int
    setting_up: bool  # a new authenticator is waiting for its first code


def status(user: User) -> Status:
    row = credential(user)
    enrolled = row is not None and row.confirmed_at is not None and row.secret is not None
    return Status(
        enrolled=enrolled,
        since=row.confirmed_at if enrolled and row is not None else None,
        required_by=required_by(user),
        recovery_left=recovery_codes_left(user) if enrolled else 0,
        setting_up=row is not None and row.pending_secret is not None,
    )


def _key() -> bytes:
    return sealing.derive_key(current_app.config["SECRET_KEY"], "totp-secret")


# --- using a code ----------------------------------------------------------------------------


def use_totp(user: User, code: str, now: datetime) -> bool:
    """Is `code` the authenticator's code of now (one step either side) and not used before? If
    so its time step is used up, in the caller's unit of work."""
    row = credential(user)
    if row is None or row.secret is None or row.confirmed_at is None:
        return False
    secret = unseal(row.secret)
    if not secret:  # unreadable: never compare against an empty key, whose codes anyone can compute
        return False
    step = otp.matching_step(secret, code, now, row.last_step)
    if step is None:
        return False
    row.last_step = step
    return True


def unseal(sealed: str) -> str:
    """The secret, or "" when it cannot be read (sealed under another PORTAL_SECRET_KEY)."""
    try:
        return sealing.unseal(_key(), sealed)
    except sealing.Unreadable:
        log.error("a TOTP secret cannot be unsealed (was PORTAL_SECRET_KEY changed?)")
        return ""


def use_recovery_code(user: User, code: str, now: datetime) -> int | None:
    """How many codes are left after using this one, or None when it is not an unused code of `user`."""
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == otp.recovery_digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return None
    row.used_at = now
    db.session.flush()
    left = recovery_codes_left(user)
    audit.record(
        "recovery_code_used", actor=user, subject=user, target=f"user:{user.username}", detail={"left": left}, now=now
    )
    return left


def lock_state(user: User) -> lockout.State:
    return lockout.State(failures=user.failed_sign_ins or 0, since=user.failed_since, locked_until=user.locked_until)


def count_failure(user: User, now: datetime, *, step: str) -> datetime | None:
    """Count a wrong code toward the lockout; the lock's end when this one locked the account."""
    state = lockout.after_failure(lock_state(user), now, lockout_policy())
    user.failed_sign_ins, user.failed_since, user.locked_until = state.failures, state.since, state.locked_until
    audit.record(
        "two_factor_failed", actor=user, subject=user, target=f"user:{user.username}", detail={"step": step}, now=now
    )
    if not lockout.locked(state, now):
        return None
    audit.record(
        "account_locked",
        subject=user,
        target=f"user:{user.username}",
        detail={"until": state.locked_until.isoformat(timespec="seconds") if state.locked_until else None},
        now=now,
    )
    return state.locked_until


# --- setting up an authenticator ------------------------------------------------------------


@transactional
def enrolment_secret(user: User, *, now: datetime | None = None) -> str:
    """The secret being set up for `user` (a new one the first time): shown as a QR code and as
    text until a first code confirms it. An authenticator already in use keeps working meanwhile."""
    now = now or utcnow()
    row = credential(user)
    if row is None:
        row = TotpCredential(user_id=user.id)
        db.session.add(row)
    if row.pending_secret is not None:
        secret = unseal(row.pending_secret)
        if secret:
            return secret
    secret = otp.new_secret()
    row.pending_secret, row.pending_since = sealing.seal(_key(), secret), now
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    issuer = str(current_app.config.get("2FA_ISSUER") or "OA")
    return otp.provisioning_uri(secret, user.username, issuer)


@transactional
def confirm_enrolment(user: User, code: str, *, now: datetime | None = None) -> list[str]:
    """A first code from the new authenticator turns it on (replacing an earlier one); returns
    the ten new recovery codes — the only time they are shown."""
    now = now or utcnow()
    row = credential(user)
    secret = unseal(row.pending_secret) if row is not None and row.pending_secret else ""
    if row is None or not secret:
        raise InvalidInput({"code": _("Start setting up the authenticator again.")})
    step = otp.matching_step(secret, code, now, None)
    if step is None:
        raise WrongCode(_("That code is not right. Check the time on your phone and type the code shown now."))
    replaced = row.confirmed_at is not None
    row.secret, row.confirmed_at, row.last_step = row.pending_secret, now, step
    row.pending_secret = row.pending_since = None
    codes = _new_recovery_codes(user, now)
    audit.record(
        "two_factor_enabled",
        actor=user,
        subject=user,
        target=f"user:{user.username}",
        detail={"replaced": replaced, "recovery_codes": len(codes)},
        now=now,
    )
    return codes


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = otp.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=otp.recovery_digest(c), created_at=now) for c in codes)
    return codes


class ProofRefused(InvalidInput):
    def __init__(self) -> None:
        super().__init__({"proof": _("That is neither a current code nor your password.")})


def _prove(user: User, proof: str, now: datetime, *, step: str) -> tuple[bool, datetime | None]:
    """Does a current authenticator code or the password stand behind this change of the second
    factor? (accepted, the lock's end if the account is locked). A refusal is counted toward
    the lockout; nothing is raised, so the caller's unit of work keeps the count."""
    state = lock_state(user)
    if lockout.locked(state, now):
        return False, state.locked_until
    if otp.looks_like_totp(proof) and use_totp(user, proof, now):
        return True, None
    if proof and check_password_hash(user.password_hash, proof):
        return True, None
    return False, count_failure(user, now, step=step)


def _refuse(locked_until: datetime | None) -> DomainError:
    return AccountLocked(locked_until) if locked_until is not None else ProofRefused()


def regenerate_recovery_codes(user: User, proof: str, *, now: datetime | None = None) -> list[str]:
    """Ten new recovery codes (the old ones stop working), behind a current code or the password."""
    now = now or utcnow()
    with unit_of_work():
        if not is_enrolled(user):
            raise NotAllowed(_("Set up an authenticator first."))
        accepted, locked_until = _prove(user, proof, now, step="recovery_codes")
        if accepted:
            codes = _new_recovery_codes(user, now)
            audit.record(
                "recovery_codes_regenerated", actor=user, subject=user, target=f"user:{user.username}", now=now
            )
            return codes
    raise _refuse(locked_until)


def disable(user: User, proof: str, *, now: datetime | None = None) -> None:
    """Turn two-factor sign-in off, behind a current code or the password; refused while it is
    required (a new authenticator can replace the old one instead)."""
    now = now or utcnow()
    with unit_of_work():
        if not is_enrolled(user):
            raise NotAllowed(_("Two-factor sign-in is not turned on."))
        if required_by(user) is not None:
            raise NotAllowed(
                _("Two-factor sign-in is required for your account. You can set up a new authenticator instead.")
            )
        accepted, locked_until = _prove(user, proof, now, step="disable")
        if accepted:
            _remove(user)
            audit.record("two_factor_disabled", actor=user, subject=user, target=f"user:{user.username}", now=now)
            return
    raise _refuse(locked_until)


def _remove(user: User) -> None:
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- for administrators (the admin pages call these) ---------------------------------------------


def _admin(by: User | None) -> None:
    """Administrators, or the operator at the command line (by=None)."""
    if by is not None and not by.has_role("admin"):
        raise NotAllowed(_("Only an administrator may do this."))


@transactional
def require_two_factor(user: User, required: bool, *, by: User | None) -> User:
    """An administrator requires (or stops requiring) two-factor sign-in of one account; a
    required account without an authenticator sets one up at its next sign-in."""
    _admin(by)
    if user.two_factor_required != required:
        before = {"two_factor_required": user.two_factor_required}
        user.two_factor_required = required
        audit.record(
            "user_updated",
            actor=by,
            subject=user,
            target=f"user:{user.username}",
            before=before,
            after={"two_factor_required": required},
        )
    return user


@transactional
def reset_two_factor(user: User, *, by: User | None) -> None:
    """An administrator removes a user's authenticator and recovery codes (a lost phone and lost
    codes); if it is required, the user sets up a new one at the next sign-in."""
    _admin(by)
    if credential(user) is None:
        return
    _remove(user)
    audit.record(
        "two_factor_disabled", actor=by, subject=user, target=f"user:{user.username}", detail={"reset_by_admin": True}
    )
