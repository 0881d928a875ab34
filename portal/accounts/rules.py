"""Account rules (pure): what a user name, an e-mail address and a code must be, which role changes
an administrator may make, the org chart's superior chains, and token lifetimes. (Passwords follow
portal.auth.passwords, the one policy of every path that sets one.)"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from portal.auth.roles import Role

USERNAME_MAX, DISPLAY_NAME_MAX, EMAIL_MAX = 64, 80, 120
CODE_MAX, NAME_MAX = 40, 80  # departments and regions
TOKEN_LABEL_MAX = 80
TOKEN_DAYS = (30, 90, 180, 365)  # the lifetimes offered; 0 is "never expires"
DEFAULT_TOKEN_DAYS = 90
ADMIN = Role.ADMIN.value
EMPLOYEE = Role.EMPLOYEE.value
ROLES = tuple(r.value for r in Role)

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\\\"]+@[^@\s,;<>()\[\]\\\"]+\.[^@\s,;<>()\[\]\\\".]+$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def normal_username(value: str) -> str:
    return value.strip().lower()


def valid_username(username: str) -> bool:
    """Latin letters, digits, '.' and '_' (as portal.auth.services.create_user accepts)."""
    return (
        0 < len(username) <= USERNAME_MAX
        and username.isascii()
        and username.replace("_", "").replace(".", "").isalnum()
    )


def valid_email(email: str) -> bool:
    return len(email) <= EMAIL_MAX and bool(_EMAIL.match(email))


def valid_code(code: str) -> bool:
    """A department or region code: Latin letters, digits, '.', '_' and '-', as an HR system keys them."""
    return 0 < len(code) <= CODE_MAX and bool(_CODE.match(code))


def with_employee(roles: Collection[str]) -> list[str]:
    """Every account is an employee, whatever else it is."""
    return sorted(set(roles) | {EMPLOYEE})


def unknown_roles(roles: Collection[str]) -> list[str]:
    return sorted(set(roles) - set(ROLES))


def role_change_problem(
    actor_id: int | None, user_id: int, old: Collection[str], new: Collection[str], other_active_admins: int
) -> str | None:
    """Why this role change is refused (a code), or None. Nobody takes their own admin role away,
    and the last active administrator keeps theirs (also from the command line, actor None)."""
    if ADMIN in old and ADMIN not in new:
        if actor_id is not None and actor_id == user_id:
            return "own_admin"
        if other_active_admins == 0:
            return "last_admin"
    return None


def superior_problem(superior_of: Mapping[int, int | None], user_id: int, superior_id: int | None) -> str | None:
    """Why `superior_id` cannot become `user_id`'s direct superior (a code), or None: nobody is
    their own superior, and a chain never comes back to where it started."""
    if superior_id is None:
        return None
    if superior_id == user_id:
        return "self"
    seen = set()
    current: int | None = superior_id
    while current is not None and current not in seen:
        if current == user_id:
            return "cycle"
        seen.add(current)
        current = superior_of.get(current)
    return None


def token_expiry(days: int, now: datetime) -> datetime | None:
    """When a token made now for `days` days stops working (None: never)."""
    return now + timedelta(days=days) if days > 0 else None


def token_state(revoked: bool, expires_at: datetime | None, now: datetime) -> str:
    """active | expired | revoked"""
    if revoked:
        return "revoked"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "active"
