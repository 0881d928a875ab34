"""Ticket transactions: filing, replies, state changes, assignment, rating, the knowledge loop.

Every function checks who may do it, changes everything or nothing, writes the ledger and
queues the index refresh in the same transaction. Two agents acting on the same ticket at once:
the version column lets one through and the other gets a 409 to refresh.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.models import User
from portal.auth.services import active_user
from portal.core import uploads as files
from portal.core.clock import utcnow
from portal.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from portal.extensions import db
from portal.kb import markdown
from portal.kb.models import Article, Category
from portal.search import queue
from portal.search.documents import make_key
from portal.search.models import SearchLog
from portal.tickets import access, clock
from portal.tickets.models import Attachment, Deflection, Ticket, TicketEvent, TicketPause
from portal.tickets.sla import Complexity, Severity
from portal.tickets.states import Action, Actor, State, TransitionError, next_state

PREFIX = "ticket"
CHANNELS = ("web", "phone", "email", "chat")
TITLE_MAX, BODY_MAX, CONTACT_MAX, REASON_MAX = 200, 10_000, 120, 300
FILED_AFTER_SEARCH = timedelta(minutes=30)  # a ticket this soon after a search "followed" it


class TicketError(InvalidInput):
    """A ticket's fields that cannot be accepted."""


def _one_decision(fn):
    """Another agent changed the ticket after we loaded it (the version column noticed, at
    commit or at an earlier autoflush): nothing of ours is written, the user refreshes."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StaleDataError:
            db.session.rollback()
            raise Conflict(_("Someone else changed this ticket a moment ago. Refresh and try again.")) from None

    return wrapped


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
    errors, requester = _validate(data, filer)
    if errors:
        raise TicketError(errors)
    clock_given = now is not None  # tests and the demo replay a timeline; jobs follow it
    now = now or utcnow()
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
    stored = _attach(ticket, event, filer, data.uploads, internal=False)
    if search_token:
        _mark_search_followed(search_token, now)
    try:
        db.session.flush()
        queue.mark_dirty([make_key(PREFIX, ticket.id)])
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.discard(stored)
        raise
    queue.kick()
    from portal.tickets.tasks import assign_ticket

    assign_ticket(ticket.id, now.isoformat() if clock_given else None)
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


def _attach(ticket: Ticket, event: TicketEvent, user: User, uploads, internal: bool) -> list[str]:
    stored = []
    try:
        for u in uploads:
            name = files.store(u)
            stored.append(name)
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
    except OSError:
        files.discard(stored)
        raise
    if stored:
        db.session.flush()
        for a in ticket.attachments[-len(stored) :]:
            a.event_id = event.id
    return stored


def _commit(ticket: Ticket, stored: list[str] = ()) -> None:
    queue.mark_dirty([make_key(PREFIX, ticket.id)])
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        files.discard(stored)
        raise Conflict(_("Someone else changed this ticket a moment ago. Refresh and try again.")) from None
    except Exception:
        db.session.rollback()
        files.discard(stored)
        raise
    queue.kick()


def deflect(article_id: int | None, title: str) -> None:
    """The employee found the answer while filing: count it, keep no user id."""
    if article_id is not None and db.session.get(Article, article_id) is None:
        article_id = None
    db.session.add(Deflection(article_id=article_id, title=title.strip()[:TITLE_MAX]))
    db.session.commit()


# --- acting on a ticket ---------------------------------------------------------------------


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


@_one_decision
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
    if user is None:
        actor = Actor.SYSTEM
    else:
        actor = access.actor_for(action, user.id, user.roles, ticket.requester_id)
        if actor is None:
            if not access.can_view(user.id, user.roles, ticket.requester_id):
                raise DomainError(_("No such ticket."), status=404)
            raise NotAllowed(_("You may not do this with this ticket."))
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
    _commit(ticket)
    return ticket


@_one_decision
def reply(
    ticket: Ticket, user: User, body: str, *, internal: bool = False, uploads=(), now: datetime | None = None
) -> TicketEvent:
    """A message on the ticket; an internal note only among agents. The requester answering a
    question restarts the clock."""
    now = now or utcnow()
    is_requester = user.id == ticket.requester_id
    agent = access.is_agent(user.roles)
    if not (is_requester or agent):
        raise DomainError(_("No such ticket."), status=404)
    if internal and not agent:
        raise NotAllowed(_("Only support staff write internal notes."))
    body = body.strip()
    errors = {}
    if not body and not uploads:
        errors["body"] = _("Write a message or attach a file.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("The text may have at most %(n)d characters.", n=BODY_MAX)
    if problem := files.problems(list(uploads)):
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
    stored = _attach(ticket, event, user, list(uploads), internal=internal)
    _commit(ticket, stored)
    return event


def _require_agent(user: User, desk: bool = False) -> None:
    if not (access.is_desk(user.roles) if desk else access.is_agent(user.roles)):
        raise NotAllowed(_("Only support staff may do this."))


@_one_decision
def assign(
    ticket: Ticket, assignee: User, by: User | None, *, note: str = "", now: datetime | None = None, commit: bool = True
) -> Ticket:
    """Give the ticket to an engineer (support desk, or the assignment rules when `by` is None)."""
    if by is not None:
        _require_agent(by, desk=True)
    if not assignee.active or not assignee.has_any_role("engineer", "senior_engineer"):
        raise TicketError({"assignee": _("%(name)s is not an active engineer.", name=assignee.display_name)})
    if State(ticket.state) not in (State.PENDING, State.IN_PROGRESS, State.WAITING, State.REOPENED):
        raise Conflict(_("Only open tickets can be assigned."))
    if ticket.assignee_id == assignee.id:
        if commit and db.session.dirty:
            _commit(ticket)  # e.g. an escalation event for the engineer who already has it
        return ticket
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
    if commit:
        _commit(ticket)
    return ticket


@_one_decision
def set_complexity(ticket: Ticket, complexity: str, by: User, *, now: datetime | None = None) -> Ticket:
    _require_agent(by)
    if complexity not in tuple(Complexity):
        raise TicketError({"complexity": _("Complexity is simple or complex.")})
    if complexity == ticket.complexity:
        return ticket
    ticket.complexity = complexity
    clock.set_due_times(ticket)
    _event(ticket, "complexity", by, data={"to": complexity}, internal=True, now=now)
    _commit(ticket)
    if complexity == Complexity.COMPLEX and not ticket.escalated:
        from portal.tickets.tasks import escalate_ticket

        escalate_ticket(ticket.id, "complex", now.isoformat() if now else None)
    return ticket


@_one_decision
def set_shareable(ticket: Ticket, shareable: bool, by: User, *, now: datetime | None = None) -> Ticket:
    """A shareable solved ticket is found by every employee as a past case."""
    _require_agent(by)
    if ticket.shareable == shareable:
        return ticket
    ticket.shareable = shareable
    _event(ticket, "shared" if shareable else "unshared", by, internal=True, now=now)
    _commit(ticket)
    return ticket


@_one_decision
def rate(ticket: Ticket, user: User, rating: int, comment: str = "", *, now: datetime | None = None) -> Ticket:
    """Confirm-and-rate while resolved; rate once afterwards if the ticket closed by itself."""
    if ticket.state == State.RESOLVED:
        return change_state(ticket, user, Action.CONFIRM, now=now, rating=rating, comment=comment)
    if user.id != ticket.requester_id:
        raise (
            DomainError(_("No such ticket."), status=404)
            if not access.is_agent(user.roles)
            else NotAllowed(_("Only the requester rates the service."))
        )
    if ticket.state != State.CLOSED or ticket.rating is not None:
        raise Conflict(_("This ticket cannot be rated now."))
    if not 1 <= rating <= 5:
        raise TicketError({"rating": _("Rate from 1 to 5.")})
    ticket.rating, ticket.rating_comment = rating, comment.strip()[:500]
    _event(ticket, "rating", user, body=ticket.rating_comment, data={"rating": rating}, now=now)
    _commit(ticket)
    return ticket


@_one_decision
def follow_up(ticket: Ticket, by: User, note: str, *, now: datetime | None = None) -> TicketEvent:
    """Support's visit or call after resolution, for the record."""
    _require_agent(by)
    if ticket.state not in (State.RESOLVED, State.CLOSED):
        raise Conflict(_("Follow-up visits are recorded after the ticket is resolved."))
    if not note.strip():
        raise TicketError({"body": _("Note what the follow-up found.")})
    event = _event(ticket, "follow_up", by, body=note.strip()[:BODY_MAX], now=now)
    _commit(ticket)
    return event


@_one_decision
def draft_faq(ticket: Ticket, by: User) -> Article:
    """One step from a solved ticket to an unpublished FAQ for curators, linked both ways."""
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
    article = Article(
        kind="faq",
        title=ticket.title,
        body=body,
        body_text=markdown.plain_text(body),
        category_id=ticket.category_id,
        visibility="internal",
        published=False,
        author_id=by.id,
    )
    db.session.add(article)
    db.session.flush()
    article.source_ticket_id = ticket.id
    ticket.article = article
    _event(ticket, "faq_draft", by, data={"article_id": article.id}, internal=True)
    _commit(ticket)
    return article


@_one_decision
def link_article(ticket: Ticket, article_id: int | None, by: User, *, now: datetime | None = None) -> Ticket:
    """The FAQ that answers this problem (counts towards the FAQ's occurrence ranking)."""
    _require_agent(by)
    if article_id is not None and db.session.get(Article, article_id) is None:
        raise TicketError({"article_id": _("No article with number %(ids)s.", ids=article_id)})
    ticket.article_id = article_id
    _event(ticket, "linked", by, data={"article_id": article_id}, internal=True, now=now)
    _commit(ticket)
    return ticket


def state_label(state: str) -> str:
    return {
        State.PENDING: _("Pending"),
        State.IN_PROGRESS: _("In progress"),
        State.WAITING: _("Waiting for information"),
        State.RESOLVED: _("Resolved"),
        State.CLOSED: _("Closed"),
        State.REOPENED: _("Reopened"),
    }.get(state, state)


@_one_decision
def bulk_assign(ticket_ids: list[int], assignee: User, by: User) -> int:
    """Assign several tickets at once; all or nothing."""
    _require_agent(by, desk=True)
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))))
    if len(tickets) != len(set(ticket_ids)):
        raise TicketError({"tickets": _("Some of the selected tickets no longer exist.")})
    now = utcnow()
    try:
        for ticket in tickets:
            assign(ticket, assignee, by, now=now, commit=False)
    except DomainError:
        db.session.rollback()
        raise
    for ticket in tickets:
        queue.mark_dirty([make_key(PREFIX, ticket.id)])
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("Someone else changed one of these tickets a moment ago. Refresh and try again.")) from None
    return len(tickets)
