"""Who may see and act on a request (pure: ids and roles in, yes or no out).

An approver sees what is routed to them (any step of any round, including steps they hold for
an absent colleague, and the colleague's own), the requester sees their own, admins see all."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


def is_admin(roles: Collection[str]) -> bool:
    return "admin" in roles


def can_view(user_id: int, roles: Collection[str], requester_id: int, participants: Collection[int]) -> bool:
    return user_id == requester_id or user_id in participants or is_admin(roles)


def may_decide(user_id: int, requester_id: int, step_approver_id: int, delegators: Collection[int]) -> bool:
    """The step's approver, or a delegate of theirs today; never the requester."""
    if user_id == requester_id:
        return False
    return user_id == step_approver_id or step_approver_id in delegators


@dataclass(frozen=True)
class Holder:
    """A step of the current round: who it is routed to and who decided it (None: not yet)."""

    position: int
    approver_id: int
    decided_by: int | None = None


def decides_twice(user_id: int, position: int, steps: Iterable[Holder]) -> bool:
    """Deciding step `position` would make the user decide two steps of one round: they decided
    another already (themselves or standing in for someone), or another is still theirs to
    decide. Delegation or not, every step of a route is a different person's judgement."""
    for s in steps:
        if s.position == position:
            continue
        if s.decided_by == user_id or (s.decided_by is None and s.approver_id == user_id):
            return True
    return False


def may_change(user_id: int, requester_id: int) -> bool:
    """Resubmit after a return, or withdraw: the requester only."""
    return user_id == requester_id
