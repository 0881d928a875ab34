"""Who may do what with a ticket (pure: roles and ids in, yes or no out)."""

from __future__ import annotations

from portal.search.access import TICKET_READERS as AGENT_ROLES  # one list for pages and search
from portal.tickets.states import TRANSITIONS, Action, Actor

DESK_ROLES = frozenset({"support", "admin"})  # assign, reassign, file for someone else


def is_agent(roles) -> bool:
    return bool(AGENT_ROLES & set(roles))


def is_desk(roles) -> bool:
    return bool(DESK_ROLES & set(roles))


def can_view(user_id: int, roles, requester_id: int) -> bool:
    return user_id == requester_id or is_agent(roles)


def actor_for(action: Action, user_id: int, roles, requester_id: int) -> Actor | None:
    """The capacity in which this user may take `action` on the ticket, or None.

    A support engineer's own ticket: requester actions as requester, the rest as agent."""
    allowed: set[Actor] = set()
    for (_, act), (_, actors) in TRANSITIONS.items():
        if act == action:
            allowed |= actors
    if Actor.REQUESTER in allowed and user_id == requester_id:
        return Actor.REQUESTER
    if Actor.AGENT in allowed and is_agent(roles):
        return Actor.AGENT
    return None
