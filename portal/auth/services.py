"""Account operations shared by the web views and the `portal users` / `portal token` commands."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.audit import services as audit
from portal.auth import lockout
from portal.auth.models import ApiToken, Department, Region, User, UserRole
from portal.auth.passwords import password_problems
from portal.auth.roles import Position, Role
from portal.core.clock import utcnow
from portal.core.errors import DomainError, InvalidInput
from portal.core.uow import transactional, unit_of_work
from portal.extensions import db

TOKEN_PREFIX = "pt_"
_dummy_hashes: dict[str | None, str] = {}


class AccountLocked(DomainError):
    """Too many wrong passwords: no password is checked until `until` (naive UTC)."""

    status = 429

    def __init__(self, until: datetime):
        super().__init__(
            _(
                "Too many failed sign-ins. This account is locked until %(time)s; try again then, "
                "or ask an administrator to unlock it.",
                time=format_datetime(until, "short"),
            )
        )
        self.until = until


class AccountError(InvalidInput):
    """An account or token that cannot be created: {field: message}; the message joins them."""


@dataclass
class NewUser:
    username: str
    password: str
    display_name: str = ""
    email: str | None = None
    department: str | None = None  # department code
    region: str | None = None  # region code
    position: str = Position.STAFF.value
    superior: str | None = None  # username
    roles: list[str] = field(default_factory=lambda: [Role.EMPLOYEE.value])


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def _dummy_check(password: str) -> None:
    """Spend what a real check spends (same hash method), so timing does not tell which user
    names exist or which accounts are locked."""
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = hash_password("unused-password-1!")
    check_password_hash(_dummy_hashes[method], password)


def lockout_policy() -> lockout.Policy:
    cfg = current_app.config
    return lockout.Policy(
        limit=int(cfg["LOGIN_LOCK_AFTER"]),
        window=timedelta(minutes=float(cfg["LOGIN_LOCK_WINDOW_MINUTES"])),
        lock=timedelta(minutes=float(cfg["LOGIN_LOCK_MINUTES"])),
    )


def _lock_state(user: User) -> lockout.State:
    return lockout.State(failures=user.failed_sign_ins or 0, since=user.failed_since, locked_until=user.locked_until)


def _set_lock_state(user: User, state: lockout.State) -> None:
    user.failed_sign_ins, user.failed_since, user.locked_until = state.failures, state.since, state.locked_until


def authenticate(username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The account for this user name and password, or None; a wrong password is counted and the
    fifth within the window locks the account (AccountLocked, also for the right password while
    the lock lasts). One unit of work: the count is kept although the sign-in fails."""
    now = now or utcnow()
    with unit_of_work():
        user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            _dummy_check(password)
            audit.record("sign_in_failed", detail={"username": username.strip()[:64], "reason": "unknown"}, now=now)
            return None
        state = _lock_state(user)
        if lockout.locked(state, now):
            _dummy_check(password)
            audit.record("sign_in_failed", actor=user, subject=user, detail={"reason": "locked"}, now=now)
            until = state.locked_until
        elif user.active and check_password_hash(user.password_hash, password):
            if state != lockout.after_success():
                _set_lock_state(user, lockout.after_success())
            return user
        else:
            state = lockout.after_failure(state, now, lockout_policy())
            _set_lock_state(user, state)
            reason = "closed" if not user.active else "password"
            audit.record("sign_in_failed", actor=user, subject=user, detail={"reason": reason}, now=now)
            if not lockout.locked(state, now):
                return None
            audit.record(
                "account_locked",
                subject=user,
                target=f"user:{user.username}",
                detail={"until": state.locked_until.isoformat(timespec="seconds") if state.locked_until else None},
                now=now,
            )
            until = state.locked_until
    assert until is not None
    raise AccountLocked(until)


@transactional
def unlock(username: str, *, by: User | None = None) -> User:
    """An administrator ends a lock (and the count of failures) at once."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountError({"username": f"no user {username!r}"})
    _set_lock_state(user, lockout.after_success())
    audit.record("account_unlocked", actor=by, subject=user, target=f"user:{user.username}")
    return user


def create_user(spec: NewUser, *, check_strength: bool = True, commit: bool = True) -> User:
    """Validate everything first, so a bad field writes nothing. One unit of work (joining the
    caller's, if any); `commit=False` only adds the user to the caller's open transaction."""
    if not commit:
        return _create_user(spec, check_strength)
    with unit_of_work():
        return _create_user(spec, check_strength)


def _create_user(spec: NewUser, check_strength: bool) -> User:
    username = spec.username.strip().lower()
    errors: dict[str, str] = {}
    if not username or not username.replace("_", "").replace(".", "").isalnum() or not username.isascii():
        errors["username"] = f"invalid username {spec.username!r} (letters, digits, '.' and '_')"
    elif db.session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = f"username {username!r} already exists"
    if check_strength and (problems := password_problems(spec.password, username)):
        errors["password"] = "weak password: " + ", ".join(problems)
    try:
        position = Position(spec.position).value
    except ValueError:
        errors["position"] = f"unknown position {spec.position!r}; one of {', '.join(Position)}"
        position = None
    roles = set(spec.roles or []) | {Role.EMPLOYEE.value}
    if unknown := roles - {r.value for r in Role}:
        errors["roles"] = f"unknown role(s) {', '.join(sorted(unknown))}; one of {', '.join(Role)}"
    department = _by_code(Department, spec.department, errors, "department")
    region = _by_code(Region, spec.region, errors, "region")
    superior = None
    if spec.superior:
        superior = db.session.scalar(select(User).where(User.username == spec.superior.lower()))
        if superior is None:
            errors["superior"] = f"unknown superior {spec.superior!r}"
    if errors:
        raise AccountError(errors)

    user = User(
        username=username,
        display_name=spec.display_name or username,
        email=spec.email,
        password_hash=hash_password(spec.password),
        department=department,
        region=region,
        position=position,
        superior=superior,
    )
    user.role_rows = [UserRole(role=r) for r in sorted(roles)]
    db.session.add(user)
    return user


def _by_code(model, code, errors: dict[str, str], label: str):
    if not code:
        return None
    obj = db.session.scalar(select(model).where(model.code == code))
    if obj is None:
        errors[label] = f"unknown {label} {code!r}"
    return obj


def user_summary(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "roles": user.roles,
        "department": user.department.code if user.department else None,
        "department_name": user.department.name if user.department else None,
        "region": user.region.code if user.region else None,
        "region_name": user.region.name if user.region else None,
        "position": user.position,
        "superior": user.superior.username if user.superior else None,
        "active": user.active,
    }


def active_user(username: str) -> User | None:
    """The active account with exactly this user name, or None (closed accounts count as none)."""
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    return user if user is not None and user.active else None


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def create_token(username: str, label: str = "", *, expires_at: datetime | None = None) -> str:
    """Create an API bearer token (valid until `expires_at`, naive UTC; None: until revoked);
    only its hash is stored, so it is shown once."""
    return issue_token(username, label, expires_at=expires_at)[0]


@transactional
def issue_token(username: str, label: str = "", *, expires_at: datetime | None = None) -> tuple[str, ApiToken]:
    """create_token, also giving the stored row (the pages show what was made)."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountError({"username": f"unknown user {username!r}"})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_digest(token), label=label, expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    return token, row


def user_for_token(token: str) -> User | None:
    """The account a bearer token signs in, or None: unknown, revoked, expired or a closed account."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = utcnow()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)))
    if row is None or not row.usable(now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        with unit_of_work():
            row.last_used_at = now  # coarse, so a busy robot does not write on every call
    return row.user
