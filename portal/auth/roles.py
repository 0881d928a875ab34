"""Roles and approver positions: plain values, no database."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "employee"
    SUPPORT = "support"
    ENGINEER = "engineer"
    SENIOR_ENGINEER = "senior_engineer"
    CURATOR = "curator"
    TRAINER = "trainer"  # writes the question bank, reviews practical tasks
    ADMIN = "admin"


class Position(StrEnum):
    STAFF = "staff"
    SUPERVISOR = "supervisor"  # 业务主管
    MANAGER = "manager"  # 部门经理
    DIVISION_LEADER = "division_leader"  # 分管领导


APPROVER_POSITIONS = frozenset({Position.SUPERVISOR, Position.MANAGER, Position.DIVISION_LEADER})


def manages_account(by, user_id: int) -> bool:
    """Who may end an account's sessions or forget its trusted browsers: the account's owner, an
    administrator, or the command line (by=None)."""
    return by is None or by.id == user_id or by.has_role(Role.ADMIN)
