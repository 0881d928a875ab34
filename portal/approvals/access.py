"""Who may see and act on a request (pure: ids and roles in, yes or no out).

An approver sees what is routed to them (any step of any round, including steps they hold for
an absent colleague, and the colleague's own), the requester sees their own, admins see all."""

from __future__ import annotations

from collections.abc import Collection


def is_admin(roles: Collection[str]) -> bool:
    return "admin" in roles


def can_view(user_id: int, roles: Collection[str], requester_id: int, participants: Collection[int]) -> bool:
    return user_id == requester_id or user_id in participants or is_admin(roles)


def may_decide(user_id: int, requester_id: int, step_approver_id: int, delegators: Collection[int]) -> bool:
    """The step's approver, or a delegate of theirs today; never the requester."""
    if user_id == requester_id:
        return False
    return user_id == step_approver_id or step_approver_id in delegators


def may_change(user_id: int, requester_id: int) -> bool:
    """Resubmit after a return, or withdraw: the requester only."""
    return user_id == requester_id
