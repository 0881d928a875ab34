"""Accounts: users, departments, regions, roles, API tokens, password history and reset links."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.roles import Position, Role
from portal.core.clock import utcnow
from portal.extensions import db


class Region(db.Model):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # The division leader responsible for this department (approval fast track).
    division_leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True, ondelete="SET NULL"))
    division_leader: Mapped[User | None] = relationship(foreign_keys=[division_leader_id])


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    position: Mapped[str] = mapped_column(String(20), default=Position.STAFF.value)
    superior_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column()  # when the account was closed on leaving
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # failed sign-ins (auth/lockout.py): the count of the current window and the lock it led to
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_since: Mapped[datetime | None] = mapped_column()
    locked_until: Mapped[datetime | None] = mapped_column()
    # passwords (auth/passwords.py): an initial one (admin-made, imported, reset) must be changed
    # at the next sign-in; the change time starts the expiry clock (None: not tracked, no expiry)
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column()
    password_reminded_at: Mapped[datetime | None] = mapped_column()  # the expiry reminder, once per password
    # an administrator requires two-factor sign-in of this account (roles may require it too)
    two_factor_required: Mapped[bool] = mapped_column(default=False, server_default=false())

    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    region: Mapped[Region | None] = relationship()
    superior: Mapped[User | None] = relationship(remote_side=[id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> list[str]:
        return sorted(r.role for r in self.role_rows)

    def has_role(self, role: str | Role) -> bool:
        return any(r.role == str(role) for r in self.role_rows)

    def has_any_role(self, *roles: str | Role) -> bool:
        wanted = {str(r) for r in roles}
        return any(r.role in wanted for r in self.role_rows)

    @property
    def is_active(self) -> bool:  # Flask-Login: closed accounts cannot sign in
        return self.active

    # Set for the request that signs in (auth/signin.py): what the cookies carry instead of the id.
    def get_id(self) -> str | None:  # Flask-Login: the server-side session's key, not the user's id
        return getattr(self, "sign_in_key", None)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()  # None: never; from then on it no longer signs in
    revoked: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column()
    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at) and self.user.active


class PasswordHistory(db.Model):
    """The hashes of a user's latest passwords (the current one included): none may be reused."""

    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordReset(db.Model):
    """A reset link sent by e-mail: only the SHA-256 of its token is kept; single use, short-lived,
    and ended by a newer link or any new password."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    invalidated_at: Mapped[datetime | None] = mapped_column()
    user: Mapped[User] = relationship()


class SignInSession(db.Model):
    """One signed-in browser. The session cookie (and the remember-me cookie) carry only `key`,
    whose digest is stored here; ending the row ends that browser's sign-in on its next request."""

    __tablename__ = "sign_in_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    remember: Mapped[bool] = mapped_column(default=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[datetime | None] = mapped_column()
    end_reason: Mapped[str] = mapped_column(String(20), default="")  # sign_out, revoked, password, closed
    user: Mapped[User] = relationship()


# --- two-factor sign-in (auth/two_factor.py, auth/devices.py) ---------------------------------


class TotpCredential(db.Model):
    """An account's authenticator app. `secret` is sealed (auth/sealing.py) and never shown again
    once confirmed; `pending_secret` is one being set up (a first one, or a replacement, while the
    old one keeps working) until a first code confirms it. `last_step` is the time step of the
    last accepted code, so no code is accepted twice."""

    __tablename__ = "totp_credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    last_step: Mapped[int | None] = mapped_column()
    pending_secret: Mapped[str | None] = mapped_column(String(200))
    pending_since: Mapped[datetime | None] = mapped_column()
    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """One of the ten codes that stand in for the authenticator, each once; only its digest is kept."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class SignInCode(db.Model):
    """A six-digit code e-mailed for an unusual sign-in: 10 minutes, once, 5 tries; keyed digest only."""

    __tablename__ = "sign_in_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)


class TrustedDevice(db.Model):
    """A browser the user trusted for 30 days: its cookie carries a random token whose digest is
    kept here. Forgetting the row (the security page, a password change, "sign out everywhere")
    ends the trust at once."""

    __tablename__ = "trusted_devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    user: Mapped[User] = relationship()
