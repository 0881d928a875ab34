"""What every writer of accounts shares: the refusal of what an administrator typed, who may
administer, an account as the audit trail keeps it, and the one call site of the audit trail."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts import rules
from portal.audit import services as audit
from portal.auth.models import User
from portal.core.errors import InvalidInput, NotAllowed

ENGINEER_ROLES = ("engineer", "senior_engineer")


class AccountInputError(InvalidInput):
    """What an administrator typed that cannot be accepted: {field: message}."""


def audit_change(
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    target: str,
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
) -> None:
    """The one call site of the audit trail: the record joins this unit of work, so a change and
    its record commit together (or neither)."""
    audit.record(action, actor=actor, subject=subject, target=target, before=before, after=after, detail=detail)


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


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
