"""Reading tickets: my tickets, the support queue with its filters, the FAQ occurrence ranking,
the engineers the assignment rules choose from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select

from portal.auth.models import Region, User, UserRole
from portal.core.clock import utcnow
from portal.extensions import db
from portal.kb.models import Article
from portal.kb.origins import TicketBrief
from portal.tickets import assignment
from portal.tickets.models import QuickReply, Ticket, TicketEvent
from portal.tickets.states import OPEN_STATES, State

SORTS = {
    "due": (Ticket.resolution_due.is_(None), Ticket.resolution_due.asc(), Ticket.id),
    "newest": (Ticket.created_at.desc(), Ticket.id.desc()),
    "oldest": (Ticket.created_at.asc(), Ticket.id),
    "severity": (case((Ticket.severity == "urgent", 0), else_=1), Ticket.created_at.asc()),
    "updated": (Ticket.updated_at.desc(), Ticket.id.desc()),
}
RISKS = ("breached", "warning", "ok")
WARN_WINDOW = timedelta(hours=1)  # list filter: due within the next hour counts as "at risk"


@dataclass
class QueueFilter:
    state: str = "open"  # open | a state | all
    region: int | None = None
    severity: str | None = None
    risk: str | None = None
    assignee: str = "all"  # all | me | none | <user id>
    sort: str = "due"
    q: str = ""

    @classmethod
    def from_args(cls, args) -> QueueFilter:
        f = cls()
        state = args.get("state", "open")
        f.state = state if state in ("open", "all", *(s.value for s in State)) else "open"
        f.region = args.get("region", type=int)
        f.severity = args.get("severity") if args.get("severity") in ("urgent", "normal") else None
        f.risk = args.get("risk") if args.get("risk") in RISKS else None
        assignee = args.get("assignee", "all")
        f.assignee = assignee if assignee in ("all", "me", "none") or assignee.isdigit() else "all"
        f.sort = args.get("sort") if args.get("sort") in SORTS else "due"
        f.q = (args.get("q") or "").strip()[:100]
        return f

    def args(self, **change) -> dict:
        values = {
            "state": self.state,
            "region": self.region,
            "severity": self.severity,
            "risk": self.risk,
            "assignee": self.assignee,
            "sort": self.sort,
            "q": self.q or None,
            **change,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}


def _open():
    return Ticket.state.in_([s.value for s in OPEN_STATES])


def queue(f: QueueFilter, me: User, page: int, per_page: int, now: datetime | None = None):
    now = now or utcnow()
    query = select(Ticket)
    if f.state == "open":
        query = query.where(_open())
    elif f.state != "all":
        query = query.where(Ticket.state == f.state)
    if f.region:
        query = query.where(Ticket.region_id == f.region)
    if f.severity:
        query = query.where(Ticket.severity == f.severity)
    if f.assignee == "me":
        query = query.where(Ticket.assignee_id == me.id)
    elif f.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif f.assignee.isdigit():
        query = query.where(Ticket.assignee_id == int(f.assignee))
    if f.risk == "breached":
        query = query.where(or_(Ticket.response_breached.is_(True), Ticket.resolution_breached.is_(True)))
    elif f.risk == "warning":
        query = query.where(
            _open(),
            Ticket.resolution_breached.is_(False),
            Ticket.response_breached.is_(False),
            or_(
                Ticket.resolution_due <= now + WARN_WINDOW,
                Ticket.response_warned.is_(True),
                Ticket.resolution_warned.is_(True),
                (Ticket.first_response_at.is_(None)) & (Ticket.first_response_due <= now + WARN_WINDOW),
            ),
        )
    elif f.risk == "ok":
        query = query.where(
            Ticket.response_breached.is_(False),
            Ticket.resolution_breached.is_(False),
            Ticket.response_warned.is_(False),
            Ticket.resolution_warned.is_(False),
        )
    if f.q:
        like = f"%{f.q}%"
        number = f.q.lstrip("Tt").lstrip("0")
        query = query.where(or_(Ticket.title.ilike(like), Ticket.id == int(number) if number.isdigit() else False))
    query = query.order_by(*SORTS[f.sort])
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def mine(user: User, state: str, page: int, per_page: int):
    query = select(Ticket).where(Ticket.requester_id == user.id)
    if state == "open":
        query = query.where(_open())
    elif state == "done":
        query = query.where(~_open())
    return db.paginate(
        query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()), page=page, per_page=per_page, error_out=False
    )


def counts_for(user: User) -> dict[str, int]:
    """Numbers for the navigation: my open tickets, and for agents the open queue and mine to do."""
    out = {"mine": db.session.scalar(select(func.count(Ticket.id)).where(Ticket.requester_id == user.id, _open())) or 0}
    out["assigned"] = (
        db.session.scalar(select(func.count(Ticket.id)).where(Ticket.assignee_id == user.id, _open())) or 0
    )
    return out


def open_assigned_to(user_id: int) -> list[Ticket]:
    """The open tickets this person is working on (what a successor takes over when they leave)."""
    return list(db.session.scalars(select(Ticket).where(Ticket.assignee_id == user_id, _open()).order_by(Ticket.id)))


def engineers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(["engineer", "senior_engineer"]), User.active.is_(True))
            .distinct()
            .order_by(User.region_id, User.username)
        )
    )


def candidates(senior: bool) -> list[assignment.Candidate]:
    """Active engineers (or senior engineers) with their open load and when each last received a
    ticket: what the assignment rules choose from."""
    role = "senior_engineer" if senior else "engineer"
    users = db.session.execute(
        select(User.id, User.region_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
    ).all()
    load = dict(
        db.session.execute(
            select(Ticket.assignee_id, func.count(Ticket.id)).where(_open()).group_by(Ticket.assignee_id)
        ).all()
    )
    last = dict(
        db.session.execute(
            select(TicketEvent.target_id, func.max(TicketEvent.created_at))
            .where(TicketEvent.kind == "assign")
            .group_by(TicketEvent.target_id)
        ).all()
    )
    return [
        assignment.Candidate(
            user_id=uid, region_id=rid, open_load=load.get(uid, 0), last_assigned=last.get(uid), senior=senior
        )
        for uid, rid in users
    ]


def open_ticket_ids() -> list[int]:
    return list(db.session.scalars(select(Ticket.id).where(_open())))


def unconfirmed_ids(resolved_before: datetime) -> list[int]:
    """Resolved tickets the requester has not confirmed since before this time."""
    return list(
        db.session.scalars(
            select(Ticket.id).where(Ticket.state == State.RESOLVED.value, Ticket.resolved_at <= resolved_before)
        )
    )


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.id)))


def quick_replies() -> list[QuickReply]:
    return list(db.session.scalars(select(QuickReply).order_by(QuickReply.position, QuickReply.id)))


def top_faqs(limit: int = 50, *, authenticated: bool = True) -> list[tuple[Article, int]]:
    """FAQs by how often their problem occurs: the number of tickets linked to each."""
    n = func.count(Ticket.id).label("n")
    query = (
        select(Article, n)
        .join(Ticket, Ticket.article_id == Article.id)
        .where(Article.kind == "faq", Article.published.is_(True))
    )
    if not authenticated:
        query = query.where(Article.visibility == "public")
    return [
        (a, c)
        for a, c in db.session.execute(query.group_by(Article.id).order_by(n.desc(), Article.id).limit(limit)).all()
    ]


def tickets_for_article(article_id: int) -> int:
    return db.session.scalar(select(func.count(Ticket.id)).where(Ticket.article_id == article_id)) or 0


def ticket_briefs(ids: list[int]) -> dict[int, TicketBrief]:
    """The problem and solution of the tickets FAQ drafts were made from (registered with kb for
    the drafts desk, which shows the solution beside the draft; no requester, nothing internal)."""
    rows = db.session.execute(select(Ticket.id, Ticket.title, Ticket.solution, Ticket.state).where(Ticket.id.in_(ids)))
    return {i: TicketBrief(i, title, solution or "", state) for i, title, solution, state in rows}
