"""Account operations shared by the web views and the `portal users` / `portal token` commands."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.audit import services as audit
from portal.auth import labels, lockout, passwords, sessions, tokens
from portal.auth.models import ApiToken, Department, PasswordHistory, PasswordReset, Region, User, UserRole
from portal.auth.roles import Position, Role
from portal.core.clock import utcnow
from portal.core.errors import DomainError, InvalidInput, NotAllowed
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


class WeakPassword(InvalidInput):
    """A new password the policy refuses: `problems` the codes of the broken rules (RULES order),
    `messages` one sentence per rule in the reader's language, shown under the field."""

    def __init__(self, problems: list[str], messages: list[str], field: str = "password"):
        super().__init__({field: " ".join(messages)})
        self.problems, self.messages, self.field = problems, messages, field


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
    # an initial password someone else chose (an administrator, an import): changed at first sign-in
    must_change_password: bool = False


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
            # The count is cleared when the sign-in completes (sessions.open_session), not here:
            # wrong second-factor codes after the right password must keep counting.
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
    if check_strength and (messages := check_password(spec.password, username=username)):
        errors["password"] = " ".join(messages)
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
        department=department,
        region=region,
        position=position,
        superior=superior,
    )
    user.role_rows = [UserRole(role=r) for r in sorted(roles)]
    _store_password(user, spec.password, initial=spec.must_change_password, policy=password_policy())
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
    row = ApiToken(user=user, token_hash=tokens.digest(token), label=label, expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    return token, row


def user_for_token(token: str) -> User | None:
    """The account a bearer token signs in, or None: unknown, revoked, expired or a closed account."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = utcnow()
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == tokens.digest(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.usable(now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        with unit_of_work():
            row.last_used_at = now  # coarse, so a busy robot does not write on every call
    return row.user


# --- passwords -------------------------------------------------------------------------------


def password_policy() -> passwords.Policy:
    cfg = current_app.config
    return passwords.Policy(
        min_length=int(cfg["PASSWORD_MIN_LENGTH"]),
        history=int(cfg["PASSWORD_HISTORY"]),
        max_age_days=int(cfg["PASSWORD_MAX_AGE_DAYS"]),
        remind_days=int(cfg["PASSWORD_REMIND_DAYS"]),
    )


def password_rules() -> list[tuple[str, str]]:
    """(code, text) of the rules in force, for the list shown beside a new-password field."""
    return labels.password_rules(password_policy())


def _recent_hashes(user: User | None, policy: passwords.Policy) -> list[str]:
    """The user's last `policy.history` password hashes, newest first, the current one included
    (also for accounts whose history began after their password was set)."""
    if user is None or not policy.history:
        return []
    hashes: list[str] = []
    if user.id is not None:
        hashes = list(
            db.session.scalars(
                select(PasswordHistory.password_hash)
                .where(PasswordHistory.user_id == user.id)
                .order_by(PasswordHistory.id.desc())
                .limit(policy.history)
            )
        )
    if user.password_hash and user.password_hash not in hashes:
        hashes = [user.password_hash, *hashes][: policy.history]
    return hashes


def _problems(new: str, username: str, user: User | None, policy: passwords.Policy) -> list[str]:
    return passwords.password_problems(new, username, policy, _recent_hashes(user, policy))


def check_password(new: str, *, username: str, user: User | None = None) -> list[str]:
    """The policy check of every path that sets a password (a bulk import's dry run included):
    one message per broken rule, in the reader's language; empty when the password is accepted.
    With `user`, the last passwords count too."""
    policy = password_policy()
    return [labels.password_problem(code, policy) for code in _problems(new, username, user, policy)]


def _store_password(user: User, new: str, *, initial: bool, policy: passwords.Policy) -> None:
    """Hash, history (the last `policy.history` kept), expiry clock, the must-change flag; ends
    the user's open reset links. The checks are the caller's."""
    now = utcnow()
    user.password_hash = hash_password(new)
    user.must_change_password = initial
    user.password_changed_at = now
    user.password_reminded_at = None
    if user.id is None:
        db.session.add(user)
        db.session.flush()
    if policy.history:
        db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, created_at=now))
        db.session.flush()
    keep = (
        select(PasswordHistory.id)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.id.desc())
        .limit(policy.history)
    )
    db.session.execute(
        delete(PasswordHistory)
        .where(PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(keep.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    end_reset_links(user.id, now)


def end_reset_links(user_id: int, now: datetime) -> None:
    """Every reset link of this user not used yet stops working (a newer link, a new password)."""
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .where(PasswordReset.invalidated_at.is_(None))
        .values(invalidated_at=now)
        .execution_options(synchronize_session=False)
    )


def set_password(
    user: User, new: str, *, by: User | None, initial: bool, action: str = "password_changed", field: str = "password"
) -> None:
    """The one way a password is set on an existing account: the policy (the user's last
    passwords included; WeakPassword names every broken rule under `field`), then hash, history
    and expiry clock. `initial`: someone else chose it (an administrator, an import) and it must
    be changed at the next sign-in; False: the user chose it. `by`: who did it (None: the command
    line). Sessions are the caller's business. One unit of work, joining the caller's."""
    if by is not None and by.id != user.id and not by.has_role(Role.ADMIN):
        raise NotAllowed(_("Only an administrator can set another person's password."))
    with unit_of_work():
        policy = password_policy()
        if problems := _problems(new, user.username, user, policy):
            raise WeakPassword(problems, [labels.password_problem(c, policy) for c in problems], field)
        _store_password(user, new, initial=initial, policy=policy)
        audit.record(action, actor=by, subject=user, target=f"user:{user.username}", detail={"initial": initial})


def change_own_password(user: User, current: str, new: str, *, now: datetime | None = None) -> None:
    """The signed-in user replaces their password. The current one first: a wrong one is 422 on
    `current` and counts as a failed sign-in (the lock applies here too, so a borrowed session
    cannot guess it). On success every OTHER session of the user ends."""
    now = now or utcnow()
    with unit_of_work():
        state = _lock_state(user)
        if lockout.locked(state, now):
            _dummy_check(current)
            until = state.locked_until
        elif check_password_hash(user.password_hash, current):
            set_password(user, new, by=user, initial=False, field="new")
            sessions.revoke_all(user, by=user, keep_current=True, reason="password")
            return
        else:
            state = lockout.after_failure(state, now, lockout_policy())
            _set_lock_state(user, state)
            audit.record("sign_in_failed", actor=user, subject=user, detail={"reason": "current_password"}, now=now)
            until = state.locked_until if lockout.locked(state, now) else None
            if until is not None:
                audit.record(
                    "account_locked",
                    subject=user,
                    target=f"user:{user.username}",
                    detail={"until": until.isoformat(timespec="seconds")},
                    now=now,
                )
    if until is not None:
        raise AccountLocked(until)
    raise InvalidInput({"current": _("The current password is not correct.")})


def reset_password(user: User, *, by: User | None) -> str:
    """An administrator's reset: a random one-time password (returned, shown once), which the
    user must change at the next sign-in; any sign-in lock ends and every session of the user
    ends. `by` None: the command line."""
    if by is not None and not by.has_role(Role.ADMIN):
        raise NotAllowed(_("Only an administrator can reset another person's password."))
    with unit_of_work():
        new = passwords.one_time_password(user.username, password_policy())
        set_password(user, new, by=by, initial=True, action="password_admin_reset")
        _set_lock_state(user, lockout.after_success())
        sessions.revoke_all(user, by=by, keep_current=False, reason="password")
    return new


def password_change_reason(user: User, now: datetime | None = None) -> str | None:
    """Why this account must change its password before anything else: "initial" (set by
    someone else), "expired", or None."""
    if user.must_change_password:
        return "initial"
    if passwords.expiry(user.password_changed_at, now or utcnow(), password_policy()).expired:
        return "expired"
    return None


def password_expiry(user: User, now: datetime | None = None) -> passwords.Expiry:
    return passwords.expiry(user.password_changed_at, now or utcnow(), password_policy())


def user_by_name(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountError({"username": f"no user {username!r}"})
    return user
