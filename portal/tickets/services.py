"""Ticket transactions: filing, replies, state changes, assignment, rating, the knowledge loop,
and what the jobs do (assignment, escalation, the SLA sweep).

Every function checks who may do it and is one unit of work: it changes everything or nothing,
writes the ledger and queues the index refresh in the same transaction; jobs and the index writer
are kicked after the commit. Two agents acting on the same ticket at once: the version column
lets one through and the other gets a 409 to refresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.services import active_user
from portal.core import jobs
from portal.core import uploads as files
from portal.core.calendar import WorkCalendar
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.core.uow import after_commit, unit_of_work
from portal.extensions import db
from portal.kb import services as kb_services
from portal.kb.models import Article, Category
from portal.notify.services import notify
from portal.search import queue
from portal.search.documents import make_key
from portal.search.models import SearchLog
from portal.tickets import access, assignment, clock, queries
from portal.tickets.labels import state_label
from portal.tickets.models import Attachment, Deflection, Ticket, TicketEvent, TicketPause
from portal.tickets.search_source import PREFIX
from portal.tickets.sla import Complexity, Risk, Severity, Tier
from portal.tickets.states import OPEN_STATES, Action, Actor, State, TransitionError, next_state

log = logging.getLogger(__name__)

CHANNELS = ("web", "phone", "email", "chat")
TITLE_MAX, BODY_MAX, CONTACT_MAX, REASON_MAX = 200, 10_000, 120, 300
FILED_AFTER_SEARCH = timedelta(minutes=30)  # a ticket this soon after a search "followed" it
PROMISE_MAX = timedelta(days=90)  # the furthest a new expected time may lie ahead


class TicketError(InvalidInput):
    """A ticket's fields that cannot be accepted."""


def _work(conflict: str | None = None):
    """One unit of work; another agent's change noticed by the version column (at commit or at
    an earlier autoflush) becomes the ticket's 409: nothing of ours is written, the user refreshes."""
    return unit_of_work(conflict=conflict or _("Someone else changed this ticket a moment ago. Refresh and try again."))


def _refresh_index(ticket: Ticket) -> None:
    """The ticket's search document is rebuilt by the index writer once this work commits."""
    queue.mark_dirty([make_key(PREFIX, ticket.id)])
    after_commit(queue.kick)


def _at(now: datetime | None) -> str | None:
    """A given clock travels to the jobs (tests and the demo replay a timeline); None: real time."""
    return now.isoformat() if now is not None else None


# --- filing ---------------------------------------------------------------------------------


@dataclass
class TicketInput:
    title: str
    description: str
    category_id: int | None
    severity: str = "normal"
    contact: str = ""
    channel: str = "web"
    requester_username: str = ""  # support filing for someone else
    uploads: list = field(default_factory=list)


def _validate(data: TicketInput, filer: User) -> tuple[dict[str, str], User | None]:
    errors: dict[str, str] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = _("Describe the problem in a few words.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title may have at most %(n)d characters.", n=TITLE_MAX)
    if len(data.description) > BODY_MAX:
        errors["description"] = _("The description may have at most %(n)d characters.", n=BODY_MAX)
    if data.category_id is None or db.session.get(Category, data.category_id) is None:
        errors["category_id"] = _("Choose a category.")
    if data.severity not in tuple(Severity):
        errors["severity"] = _("Severity is urgent or normal.")
    if len(data.contact) > CONTACT_MAX:
        errors["contact"] = _("The contact may have at most %(n)d characters.", n=CONTACT_MAX)
    requester: User | None = filer
    on_behalf = data.requester_username.strip()
    if on_behalf or data.channel != "web":
        if not access.is_desk(filer.roles):
            errors["channel"] = _("Only the support desk files tickets for someone else.")
        elif data.channel not in CHANNELS:
            errors["channel"] = _("Unknown channel.")
        if on_behalf and access.is_desk(filer.roles):
            requester = active_user(on_behalf)
            if requester is None:
                errors["requester_username"] = _("No active account %(name)s.", name=on_behalf)
    if problem := files.problems(data.uploads):
        errors["attachments"] = problem
    return errors, requester


def file_ticket(
    data: TicketInput, filer: User, *, search_token: str | None = None, now: datetime | None = None
) -> Ticket:
    """File a ticket (for oneself, or support for a caller); the assignment job runs after the commit."""
    errors, requester = _validate(data, filer)
    if errors or requester is None:
        raise TicketError(errors)
    at = _at(now)
    now = now or utcnow()
    with _work():
        ticket = Ticket(
            title=data.title.strip(),
            description=data.description.strip(),
            category_id=data.category_id,
            severity=data.severity,
            channel=data.channel,
            contact=data.contact.strip() or (requester.email or ""),
            requester=requester,
            filed_by=filer if filer.id != requester.id else None,
            region_id=requester.region_id,
            department_id=requester.department_id,
            state=State.PENDING,
            complexity=clock.default_tier().value,
            created_at=now,
            updated_at=now,
        )
        db.session.add(ticket)
        clock.set_due_times(ticket)
        event = _event(
            ticket,
            "created",
            filer,
            body=ticket.description,
            now=now,
            data={"channel": data.channel} if filer.id != requester.id else {},
        )
        _attach(ticket, event, filer, data.uploads, internal=False)
        if search_token:
            _mark_search_followed(search_token, now)
        db.session.flush()
        _refresh_index(ticket)
        after_commit(jobs.enqueue, "tickets.assign", ticket.id, at)
    return ticket


def _mark_search_followed(token: str, now: datetime) -> None:
    last = db.session.scalar(
        select(SearchLog).where(SearchLog.session_token == token).order_by(SearchLog.id.desc()).limit(1)
    )
    if last is not None and now - last.updated_at <= FILED_AFTER_SEARCH:
        last.ticket_filed = True


def _event(
    ticket: Ticket,
    kind: str,
    actor: User | None,
    *,
    body: str = "",
    internal: bool = False,
    data: dict | None = None,
    target: User | None = None,
    now: datetime | None = None,
) -> TicketEvent:
    event = TicketEvent(
        kind=kind,
        actor=actor,
        body=body,
        internal=internal,
        data=data or {},
        target_id=target.id if target else None,
        created_at=now or utcnow(),
    )
    ticket.events.append(event)
    ticket.updated_at = event.created_at
    return event


def _attach(ticket: Ticket, event: TicketEvent, user: User, uploads, internal: bool) -> None:
    """Store the files (the store deletes them again if the unit of work rolls back)."""
    for u in uploads:
        name = files.store(u)
        ticket.attachments.append(
            Attachment(
                filename=u.filename,
                content_type=u.content_type,
                size=len(u.data),
                stored_name=name,
                internal=internal,
                uploaded_by_id=user.id,
            )
        )
    if uploads:
        db.session.flush()
        for a in ticket.attachments[-len(uploads) :]:
            a.event_id = event.id


def deflect(article_id: int | None, title: str) -> None:
    """The employee found the answer while filing: count it, keep no user id."""
    with unit_of_work():
        if article_id is not None and db.session.get(Article, article_id) is None:
            article_id = None
        db.session.add(Deflection(article_id=article_id, title=title.strip()[:TITLE_MAX]))


# --- acting on a ticket ---------------------------------------------------------------------


def _no_such_ticket() -> NotFound:
    return NotFound(_("No such ticket."))


def _responded(ticket: Ticket, now: datetime) -> None:
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        due = ticket.first_response_due
        if due is not None and now > due and not ticket.response_breached:
            ticket.response_breached = True
            _event(ticket, "sla_breach", None, data={"clock": "response"}, now=now, internal=True)


def _pause(ticket: Ticket, now: datetime) -> None:
    ticket.pauses.append(TicketPause(started_at=now))


def _resume(ticket: Ticket, now: datetime) -> None:
    for p in ticket.pauses:
        if p.ended_at is None:
            p.ended_at = now


def change_state(
    ticket: Ticket,
    user: User | None,
    action: Action | str,
    *,
    body: str = "",
    now: datetime | None = None,
    rating: int | None = None,
    comment: str = "",
) -> Ticket:
    """Take a state action as this user (None: the system); the rules decide if it is allowed."""
    now = now or utcnow()
    action = Action(action)
    with _work():
        if user is None:
            actor = Actor.SYSTEM
        else:
            found = access.actor_for(action, user.id, user.roles, ticket.requester_id)
            if found is None:
                if not access.can_view(user.id, user.roles, ticket.requester_id):
                    raise _no_such_ticket()
                raise NotAllowed(_("You may not do this with this ticket."))
            actor = found
        try:
            new = next_state(State(ticket.state), action, actor)
        except TransitionError as err:
            raise Conflict(
                _("This ticket is %(state)s now; that action is no longer possible.", state=state_label(ticket.state))
            ) from err
        body = body.strip()
        errors = {}
        if action in (Action.ASK, Action.REOPEN, Action.CLOSE) and not body:
            errors["body"] = {
                Action.ASK: _("Say what you need from the requester."),
                Action.REOPEN: _("Say why the problem is not solved."),
                Action.CLOSE: _("Say why the ticket is closed."),
            }[action]
        if action == Action.RESOLVE and not body:
            errors["body"] = _("Describe the solution for the requester.")
        if len(body) > BODY_MAX:
            errors["body"] = _("The text may have at most %(n)d characters.", n=BODY_MAX)
        if rating is not None and not 1 <= rating <= 5:
            errors["rating"] = _("Rate from 1 to 5.")
        if errors:
            raise TicketError(errors)

        old = ticket.state
        if actor == Actor.AGENT:
            _responded(ticket, now)
        if action == Action.ASK:
            ticket.waiting_reason = body[:REASON_MAX]
            _pause(ticket, now)
        elif old == State.WAITING:
            _resume(ticket, now)
            ticket.waiting_reason = ""
        if action == Action.RESOLVE:
            ticket.solution = body
            ticket.resolved_at = now
        elif action == Action.REOPEN:
            ticket.resolved_at = None
        if new == State.CLOSED:
            ticket.closed_at = now
        if rating is not None:
            ticket.rating, ticket.rating_comment = rating, comment.strip()[:500]
        ticket.state = new
        clock.set_due_times(ticket)
        if (
            ticket.resolved_at
            and ticket.resolution_due
            and ticket.resolved_at > ticket.resolution_due
            and not ticket.resolution_breached
        ):
            ticket.resolution_breached = True
            _event(ticket, "sla_breach", None, data={"clock": "resolution"}, now=now, internal=True)
        _event(
            ticket,
            "state",
            user,
            body=body,
            now=now,
            data={"from": old, "to": new, "action": action.value, **({"rating": rating} if rating is not None else {})},
        )
        if rating is not None:
            _event(ticket, "rating", user, body=ticket.rating_comment, data={"rating": rating}, now=now)
        _refresh_index(ticket)
    return ticket


def reply(
    ticket: Ticket, user: User, body: str, *, internal: bool = False, uploads=(), now: datetime | None = None
) -> TicketEvent:
    """A message on the ticket; an internal note only among agents. The requester answering a
    question restarts the clock."""
    now = now or utcnow()
    uploads = list(uploads)
    with _work():
        is_requester = user.id == ticket.requester_id
        agent = access.is_agent(user.roles)
        if not (is_requester or agent):
            raise _no_such_ticket()
        if internal and not agent:
            raise NotAllowed(_("Only support staff write internal notes."))
        body = body.strip()
        errors = {}
        if not body and not uploads:
            errors["body"] = _("Write a message or attach a file.")
        elif len(body) > BODY_MAX:
            errors["body"] = _("The text may have at most %(n)d characters.", n=BODY_MAX)
        if problem := files.problems(uploads):
            errors["attachments"] = problem
        if errors:
            raise TicketError(errors)
        if ticket.state == State.CLOSED:
            raise Conflict(_("This ticket is closed. File a new ticket if the problem is back."))
        event = _event(ticket, "note" if internal else "reply", user, body=body, internal=internal, now=now)
        if agent and not internal and not is_requester:
            _responded(ticket, now)
        if is_requester and ticket.state == State.WAITING:
            old = ticket.state
            ticket.state = next_state(State.WAITING, Action.ANSWER, Actor.REQUESTER)
            _resume(ticket, now)
            ticket.waiting_reason = ""
            clock.set_due_times(ticket)
            _event(ticket, "state", user, now=now, data={"from": old, "to": ticket.state, "action": "answer"})
        _attach(ticket, event, user, uploads, internal=internal)
        _refresh_index(ticket)
    return event


def _require_agent(user: User, desk: bool = False) -> None:
    if not (access.is_desk(user.roles) if desk else access.is_agent(user.roles)):
        raise NotAllowed(_("Only support staff may do this."))


# The single-field steps below write without a unit of work of their own and without refreshing
# the index: the public services (and `manage`, which does several at once) wrap them.


def _check_assignable(ticket: Ticket, assignee: User, by: User | None) -> None:
    if by is not None:
        _require_agent(by, desk=True)
    if not assignee.active or not assignee.has_any_role("engineer", "senior_engineer"):
        raise TicketError({"assignee": _("%(name)s is not an active engineer.", name=assignee.display_name)})
    if State(ticket.state) not in OPEN_STATES:
        raise Conflict(_("Only open tickets can be assigned."))


def _assign(ticket: Ticket, assignee: User, by: User | None, *, note: str = "", now: datetime | None) -> bool:
    _check_assignable(ticket, assignee, by)
    if ticket.assignee_id == assignee.id:
        return False
    previous = ticket.assignee
    ticket.assignee = assignee
    _event(
        ticket,
        "assign",
        by,
        body=note,
        target=assignee,
        now=now,
        data={"from": previous.username if previous else None, "to": assignee.username},
    )
    return True


def _check_complexity(complexity: str) -> None:
    if complexity not in tuple(Tier):
        raise TicketError({"complexity": _("Choose the standard, simple or complex tier.")})


def _set_complexity(ticket: Ticket, complexity: str, by: User, now: datetime | None) -> bool:
    if complexity == ticket.complexity:
        return False
    ticket.complexity = complexity
    clock.set_due_times(ticket)
    _event(ticket, "complexity", by, data={"to": complexity}, internal=True, now=now)
    if complexity == Complexity.COMPLEX and not ticket.escalated:
        after_commit(jobs.enqueue, "tickets.escalate", ticket.id, "complex", _at(now))
    return True


def _set_shareable(ticket: Ticket, shareable: bool, by: User, now: datetime | None) -> bool:
    if ticket.shareable == shareable:
        return False
    ticket.shareable = shareable
    _event(ticket, "shared" if shareable else "unshared", by, internal=True, now=now)
    return True


def _check_article(article_id: int | None) -> None:
    if article_id is not None and db.session.get(Article, article_id) is None:
        raise TicketError({"article_id": _("No article with number %(ids)s.", ids=article_id)})


def _link_article(ticket: Ticket, article_id: int | None, by: User, now: datetime | None) -> None:
    ticket.article_id = article_id
    _event(ticket, "linked", by, data={"article_id": article_id}, internal=True, now=now)


def assign(ticket: Ticket, assignee: User, by: User | None, *, note: str = "", now: datetime | None = None) -> Ticket:
    """Give the ticket to an engineer (support desk, or the assignment rules when `by` is None)."""
    with _work():
        if _assign(ticket, assignee, by, note=note, now=now):
            _refresh_index(ticket)
    return ticket


def set_complexity(ticket: Ticket, complexity: str, by: User, *, now: datetime | None = None) -> Ticket:
    """The tier chosen at triage (standard, simple or complex): both clocks follow from the
    ticket's creation; a complex problem is escalated after the commit."""
    with _work():
        _require_agent(by)
        _check_complexity(complexity)
        if _set_complexity(ticket, complexity, by, now):
            _refresh_index(ticket)
    return ticket


def set_shareable(ticket: Ticket, shareable: bool, by: User, *, now: datetime | None = None) -> Ticket:
    """A shareable solved ticket is found by every employee as a past case."""
    with _work():
        _require_agent(by)
        if _set_shareable(ticket, shareable, by, now):
            _refresh_index(ticket)
    return ticket


def link_article(ticket: Ticket, article_id: int | None, by: User, *, now: datetime | None = None) -> Ticket:
    """The FAQ that answers this problem (counts towards the FAQ's occurrence ranking)."""
    with _work():
        _require_agent(by)
        _check_article(article_id)
        _link_article(ticket, article_id, by, now)
        _refresh_index(ticket)
    return ticket


def manage(
    ticket: Ticket,
    by: User,
    *,
    assignee_id: int | None,
    complexity: str,
    shareable: bool,
    article_id: int | None,
    now: datetime | None = None,
) -> Ticket:
    """Support's manage form as one decision: assignee (None: keep), complexity, past case, the
    answering FAQ. Every field is checked before anything is written; then all of it is written in
    one transaction, or on any error none of it."""
    with _work():
        _require_agent(by)
        errors: dict[str, str] = {}
        assignee = None
        if assignee_id and assignee_id != ticket.assignee_id:
            _require_agent(by, desk=True)
            assignee = db.session.get(User, assignee_id)
            if assignee is None:
                errors["assignee"] = _("Unknown engineer.")
            else:
                try:
                    _check_assignable(ticket, assignee, by)
                except InvalidInput as err:
                    errors.update(err.errors)
        for check, value in ((_check_complexity, complexity), (_check_article, article_id)):
            try:
                check(value)
            except InvalidInput as err:
                errors.update(err.errors)
        if errors:
            raise TicketError(errors)

        changed = False
        if assignee is not None:
            changed |= _assign(ticket, assignee, by, now=now)
        changed |= _set_complexity(ticket, complexity, by, now)
        changed |= _set_shareable(ticket, shareable, by, now)
        if article_id != ticket.article_id:
            _link_article(ticket, article_id, by, now)
            changed = True
        if changed:
            _refresh_index(ticket)
    return ticket


def bulk_assign(ticket_ids: list[int], assignee: User, by: User) -> int:
    """Assign several tickets at once; all or nothing."""
    with _work(_("Someone else changed one of these tickets a moment ago. Refresh and try again.")):
        _require_agent(by, desk=True)
        tickets = list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))))
        if len(tickets) != len(set(ticket_ids)):
            raise TicketError({"tickets": _("Some of the selected tickets no longer exist.")})
        now = utcnow()
        for ticket in tickets:
            if _assign(ticket, assignee, by, now=now):
                _refresh_index(ticket)
    return len(tickets)


def hand_over(
    from_user: User, to_user: User, by: User | None, *, note: str = "", now: datetime | None = None
) -> list[Ticket]:
    """Someone leaves: every open ticket they are assigned goes to their successor, each with an
    assignment line in its ledger. All or nothing; `by` None is the command line."""
    with _work(_("Someone else changed one of these tickets a moment ago. Refresh and try again.")):
        tickets = queries.open_assigned_to(from_user.id)
        now = now or utcnow()
        note = note or _("Handed over: %(name)s has left.", name=from_user.display_name)
        for ticket in tickets:
            if _assign(ticket, to_user, by, note=note, now=now):
                _refresh_index(ticket)
    return tickets


def rate(ticket: Ticket, user: User, rating: int, comment: str = "", *, now: datetime | None = None) -> Ticket:
    """Confirm-and-rate while resolved; rate once afterwards if the ticket closed by itself."""
    with _work():
        if ticket.state == State.RESOLVED:
            return change_state(ticket, user, Action.CONFIRM, now=now, rating=rating, comment=comment)
        if user.id != ticket.requester_id:
            raise (
                _no_such_ticket()
                if not access.is_agent(user.roles)
                else NotAllowed(_("Only the requester rates the service."))
            )
        if ticket.state != State.CLOSED or ticket.rating is not None:
            raise Conflict(_("This ticket cannot be rated now."))
        if not 1 <= rating <= 5:
            raise TicketError({"rating": _("Rate from 1 to 5.")})
        ticket.rating, ticket.rating_comment = rating, comment.strip()[:500]
        _event(ticket, "rating", user, body=ticket.rating_comment, data={"rating": rating}, now=now)
        _refresh_index(ticket)
    return ticket


def follow_up(ticket: Ticket, by: User, note: str, *, now: datetime | None = None) -> TicketEvent:
    """Support's visit or call after resolution, for the record."""
    with _work():
        _require_agent(by)
        if ticket.state not in (State.RESOLVED, State.CLOSED):
            raise Conflict(_("Follow-up visits are recorded after the ticket is resolved."))
        if not note.strip():
            raise TicketError({"body": _("Note what the follow-up found.")})
        event = _event(ticket, "follow_up", by, body=note.strip()[:BODY_MAX], now=now)
        _refresh_index(ticket)
    return event


def revise_expected(
    ticket: Ticket, by: User, reason: str, expected_at: datetime | None, *, now: datetime | None = None
) -> TicketEvent:
    """The engineer on the ticket tells the requester why the solution takes longer and when to
    expect it (naive UTC). Due once the due time, or the last time given, has passed; the ledger
    keeps every revision and the requester is notified."""
    now = now or utcnow()
    with _work():
        if ticket.assignee_id != by.id:
            if not access.can_view(by.id, by.roles, ticket.requester_id):
                raise _no_such_ticket()
            raise NotAllowed(_("Only the engineer on the ticket gives the requester a new expected time."))
        if ticket.state not in clock.RUNNING:
            raise Conflict(
                _("This ticket is %(state)s now; it needs no new expected time.", state=state_label(ticket.state))
            )
        reason = reason.strip()
        errors = {}
        if not reason:
            errors["reason"] = _("Tell the requester why the solution takes longer.")
        elif len(reason) > REASON_MAX:
            errors["reason"] = _("The reason may have at most %(n)d characters.", n=REASON_MAX)
        if expected_at is None:
            errors["expected"] = _("Enter when the requester can expect the solution.")
        elif expected_at <= now:
            errors["expected"] = _("The new expected time must lie ahead.")
        elif expected_at > now + PROMISE_MAX:
            errors["expected"] = _("Give a time within %(days)d days.", days=PROMISE_MAX.days)
        if errors or expected_at is None:
            raise TicketError(errors)
        previous = ticket.expected_at or ticket.resolution_due
        ticket.expected_at, ticket.expected_reason = expected_at, reason
        _responded(ticket, now)
        event = _event(
            ticket,
            "promise",
            by,
            body=reason,
            now=now,
            data={"expected_at": expected_at.isoformat(), "previous": previous.isoformat() if previous else None},
        )
        title, url = f"{ticket.number} · {ticket.title}", f"/tickets/{ticket.id}"
        notify(ticket.requester_id, "ticket_promise", title, url, now=now)
        _refresh_index(ticket)
    return event


def draft_faq(ticket: Ticket, by: User) -> Article:
    """One step from a solved ticket to an unpublished FAQ for curators, linked both ways; the
    drafts desk lists it with the ticket's solution beside it."""
    with _work():
        _require_agent(by)
        if ticket.article is not None and ticket.article.source_ticket_id == ticket.id:
            return ticket.article
        if not ticket.solution:
            raise Conflict(_("Resolve the ticket first: the FAQ needs its solution."))
        body = _(
            "## Problem\n\n%(problem)s\n\n## Solution\n\n%(solution)s",
            problem=ticket.description or ticket.title,
            solution=ticket.solution,
        )
        article = kb_services.draft_from_ticket(
            ticket.id, title=ticket.title, body=body, category_id=ticket.category_id, by=by
        )
        ticket.article = article
        _event(ticket, "faq_draft", by, data={"article_id": article.id}, internal=True)
        _refresh_index(ticket)
    return article


# --- what the jobs do -----------------------------------------------------------------------


def auto_assign(ticket: Ticket, *, senior: bool = False, reason: str = "", now: datetime | None = None) -> bool:
    """The assignment rules give the ticket to an engineer of its region by load; `senior`: an
    escalation to a senior engineer. False when there is nobody to give it to."""
    with _work():
        chosen = assignment.pick_assignee(queries.candidates(senior), ticket.region_id, senior=senior)
        if chosen is None:
            log.warning("no %sengineer to assign ticket %s", "senior " if senior else "", ticket.id)
            return False
        engineer = db.session.get(User, chosen)
        if engineer is None:  # pragma: no cover - the candidates were just read
            return False
        if senior:
            ticket.escalated = True
            _event(ticket, "escalate", None, internal=True, now=now, data={"reason": reason}, target=engineer)
        _assign(ticket, engineer, None, note=reason, now=now)
        _refresh_index(ticket)
    return True


def assign_new(ticket_id: int, *, now: datetime | None = None) -> bool:
    """A filed ticket nobody has taken yet goes to an engineer (the assignment job)."""
    with _work():
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None or ticket.assignee_id is not None or State(ticket.state) not in OPEN_STATES:
            return False  # gone, closed, or someone assigned it by hand meanwhile: theirs stands
        return auto_assign(ticket, now=now)


def escalate(ticket_id: int, reason: str, *, now: datetime | None = None) -> bool:
    """An open ticket goes to a senior engineer, once (the escalation job)."""
    with _work():
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None or ticket.escalated or State(ticket.state) not in OPEN_STATES:
            return False
        return auto_assign(ticket, senior=True, reason=reason, now=now)


def _tell_assignee(ticket: Ticket, kind: str, now: datetime) -> None:
    """The engineer on the ticket hears of a coming or missed SLA due time in the portal."""
    if ticket.assignee_id is not None:
        notify(
            ticket.assignee_id,
            kind,
            f"{ticket.number} · {ticket.title}",
            f"/tickets/{ticket.id}",
            important=kind == "ticket_sla_breach",
            now=now,
        )


def record_sla_risks(ticket: Ticket, now: datetime, cal: WorkCalendar | None = None) -> list[str]:
    """Record a due time coming soon (warned) or missed (breached), once per clock, and tell the
    engineer on the ticket. Returns what was recorded."""
    cal = cal or clock.calendar()
    recorded = []
    with _work():
        for kind, risk in (
            ("response", clock.response_risk(ticket, now, cal)),
            ("resolution", clock.resolution_risk(ticket, now, cal)),
        ):
            if risk == Risk.WARNING and not getattr(ticket, f"{kind}_warned"):
                setattr(ticket, f"{kind}_warned", True)
                _event(ticket, "sla_warning", None, internal=True, data={"clock": kind}, now=now)
                _tell_assignee(ticket, "ticket_sla_warning", now)
                recorded.append("warned")
            elif risk == Risk.BREACHED and not getattr(ticket, f"{kind}_breached"):
                setattr(ticket, f"{kind}_breached", True)
                _event(ticket, "sla_breach", None, internal=True, data={"clock": kind}, now=now)
                _tell_assignee(ticket, "ticket_sla_breach", now)
                recorded.append("breached")
        if recorded:
            _refresh_index(ticket)
    return recorded


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass over open and resolved tickets, one unit of work per ticket (a ticket changed
    meanwhile is looked at again by the next pass); safe to run as often as wanted."""
    now = now or utcnow()
    cal = clock.calendar()
    counts = {"warned": 0, "breached": 0, "escalated": 0, "closed": 0}
    for ticket_id in queries.open_ticket_ids():
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None:
            continue
        try:
            for what in record_sla_risks(ticket, now, cal):
                counts[what] += 1
            breached = ticket.response_breached or ticket.resolution_breached
            if assignment.needs_escalation(ticket.complexity, Risk.BREACHED if breached else None, ticket.escalated):
                reason = "complex" if ticket.complexity == Complexity.COMPLEX else "breach"
                if auto_assign(ticket, senior=True, reason=reason, now=now):
                    counts["escalated"] += 1
        except Conflict:
            log.info("ticket %s changed during the SLA sweep; the next pass looks again", ticket_id)
    cutoff = now - timedelta(hours=float(current_app.config["TICKET_AUTO_CLOSE_HOURS"]))
    for ticket_id in queries.unconfirmed_ids(resolved_before=cutoff):
        try:
            change_state(db.session.get(Ticket, ticket_id), None, Action.AUTO_CLOSE, now=now, body="")
            counts["closed"] += 1
        except Conflict:
            log.info("ticket %s changed before it could close by itself; the next pass looks again", ticket_id)
    return counts
