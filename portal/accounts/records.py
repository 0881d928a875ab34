"""What every writer of accounts shares: the refusal of what an administrator typed, who may
administer, an account as the audit trail keeps it."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts import rules
from portal.auth.models import User
from portal.core.errors import InvalidInput, NotAllowed

ENGINEER_ROLES = ("engineer", "senior_engineer")


class AccountInputError(InvalidInput):
    """What an administrator typed that cannot be accepted: {field: message}."""


def require_admin(by: User | None) -> None:
    if by is not None and not by.has_role(rules.ADMIN):
        raise NotAllowed(_("Only an administrator manages accounts."))


def target_of(user: User) -> str:
    return f"user:{user.username}"


def snapshot(user: User) -> dict:
    """An account as the audit trail keeps it."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "department": user.department.code if user.department else None,
        "region": user.region.code if user.region else None,
        "position": user.position,
        "superior": user.superior.username if user.superior else None,
        "roles": user.roles,
        "active": user.active,
    }
