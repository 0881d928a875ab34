"""Closing an account on leaving, with everything it holds handed to a successor in one unit of
work, and reopening it; ending an account's signed-in browsers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from portal.accounts import queries, rules
from portal.accounts.records import (
    ENGINEER_ROLES,
    AccountInputError,
    require_admin,
    target_of,
)
from portal.approvals import services as approval_services
from portal.audit import services as audit
from portal.auth import sessions
from portal.auth.models import ApiToken, Department, User
from portal.core.clock import utcnow
from portal.core.errors import Conflict, NotAllowed, NotFound
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify.services import notify
from portal.tickets import services as ticket_services


def _end_sessions(user: User, by: User | None) -> int:
    """Every signed-in browser of a closed account ends in the same commit."""
    return sessions.revoke_all(user, by=by, reason="closed")


# --- closing and reopening --------------------------------------------------------------------


@dataclass
class Closed:
    user: User
    successor: User | None
    tickets: list = field(default_factory=list)
    approvals: approval_services.HandOver = field(default_factory=approval_services.HandOver)
    departments: list[Department] = field(default_factory=list)
    reports: list[User] = field(default_factory=list)
    tokens: int = 0
    sessions: int = 0


def _successor_problems(user: User, successor: User | None, inv: queries.Inventory) -> dict[str, str]:
    if successor is None:
        if inv.needs_successor:
            return {
                "successor": _("Name the successor who takes over what %(name)s hands over.", name=user.display_name)
            }
        return {}
    if successor.id == user.id:
        return {"successor": _("The successor must be someone else.")}
    if not successor.active:
        return {"successor": _("The account %(value)s is closed.", value=successor.username)}
    if inv.tickets and not successor.has_any_role(*ENGINEER_ROLES):
        return {
            "successor": _(
                "%(name)s is no engineer, so cannot take over %(n)d open ticket(s).",
                name=successor.display_name,
                n=len(inv.tickets),
            )
        }
    superiors = queries.superior_map()
    for r in inv.reports:
        superiors[r.id] = user.superior_id if r.id == successor.id else successor.id
    for r in inv.reports:
        if rules.superior_problem(superiors, r.id, superiors[r.id]):
            return {
                "successor": _(
                    "%(name)s reports to %(report)s, so %(report)s cannot report to them: that would be a loop.",
                    name=successor.display_name,
                    report=r.display_name,
                )
            }
    return approval_services.hand_over_problems(user, successor)


def close_account(
    user: User, successor: User | None, by: User | None, *, note: str = "", now: datetime | None = None
) -> Closed:
    """Someone leaves: their open tickets, approval steps, delegations received, the departments
    whose approvals they lead and their direct reports go to the successor; the delegations they
    gave end; their API tokens are revoked and their sessions end; the account is closed. One unit
    of work: all of it, or (any refusal) none of it."""
    now = now or utcnow()
    with unit_of_work():
        require_admin(by)
        if not user.active:
            raise Conflict(_("The account of %(name)s is closed already.", name=user.display_name))
        if by is not None and by.id == user.id:
            raise NotAllowed(_("You cannot close your own account."))
        if user.has_role(rules.ADMIN) and queries.other_active_admins(user.id) == 0:
            raise Conflict(_("%(name)s is the last active administrator.", name=user.display_name))
        inv = queries.inventory(user, now)
        if errors := _successor_problems(user, successor, inv):
            raise AccountInputError(errors)
        note = note.strip()[:300]
        done = Closed(user, successor, departments=list(inv.led), reports=list(inv.reports))
        if successor is not None and inv.tickets:
            done.tickets = ticket_services.hand_over(user, successor, by, note=note, now=now)
        done.approvals = approval_services.hand_over(user, successor, by, now=now)
        for d in inv.led:
            d.division_leader = successor
        for r in inv.reports:
            r.superior = user.superior if successor is not None and r.id == successor.id else successor
        for t in user_tokens_live(user, now):
            t.revoked, t.revoked_at = True, now
            done.tokens += 1
        user.active, user.deactivated_at = False, now
        done.sessions = _end_sessions(user, by)
        if successor is not None and not inv.empty:
            notify(
                successor.id,
                "handover",
                _("%(name)s has left: what they worked on is yours now", name=user.display_name),
                "/tickets/queue?assignee=me" if done.tickets else "/approvals/?box=todo",
                important=True,
                now=now,
            )
        db.session.flush()
        audit.record(
            "user_deactivated",
            actor=by,
            subject=user,
            target=target_of(user),
            before={"active": True},
            after={"active": False},
            detail=_closing_detail(done, note),
        )
    return done


def _closing_detail(done: Closed, note: str) -> dict:
    return {
        "successor": done.successor.username if done.successor else None,
        "tickets": [t.number for t in done.tickets],
        "approval_steps": [s.request.number for s in done.approvals.steps],
        "delegations_ended": [d.id for d in done.approvals.ended],
        "delegations_passed": [d.id for d in done.approvals.passed],
        "departments": [d.code for d in done.departments],
        "reports": [r.username for r in done.reports],
        "tokens_revoked": done.tokens,
        "sessions_ended": done.sessions,
        "note": note,
    }


def user_tokens_live(user: User, now: datetime) -> list[ApiToken]:
    return [t for t in queries.tokens_of(user.id) if rules.token_state(t.revoked, t.expires_at, now) == "active"]


def reopen_account(user: User, by: User | None) -> User:
    """A closed account signs in again (with its old password; its tokens stay revoked)."""
    with unit_of_work():
        require_admin(by)
        if user.active:
            raise Conflict(_("The account of %(name)s is open already.", name=user.display_name))
        user.active, user.deactivated_at = True, None
        user.failed_sign_ins, user.failed_since, user.locked_until = 0, None, None
        audit.record(
            "user_reactivated",
            actor=by,
            subject=user,
            target=target_of(user),
            before={"active": False},
            after={"active": True},
        )
    return user


def end_session(user: User, session_id: int, by: User) -> None:
    """An administrator signs out one of `user`'s browsers (another person's session id: 404)."""
    with unit_of_work():
        require_admin(by)
        if queries.session_of(user, session_id) is None:
            raise NotFound(_("No such session."))
        sessions.revoke(session_id, by=by)


def end_all_sessions(user: User, by: User) -> int:
    """Sign `user` out everywhere."""
    with unit_of_work():
        require_admin(by)
        return sessions.sign_out_everywhere(user, by=by)
