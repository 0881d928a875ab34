"""Tickets: the ticket, its ledger of events, attachments, clock pauses, quick replies, the
working-calendar exceptions and deflections (answers that made a ticket unnecessary).

Times are naive UTC in the database, like everywhere in the portal; the SLA rules work on aware
datetimes and the services convert at the edge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Department, Region, User
from portal.core.clock import utcnow
from portal.extensions import db
from portal.kb.models import Article, Category


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_state_region", "state", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    severity: Mapped[str] = mapped_column(String(10), default="normal")  # urgent | normal
    # the service tier (sla.Tier): standard | simple | complex; new tickets get PORTAL_TICKET_DEFAULT_TIER
    complexity: Mapped[str] = mapped_column(String(10), default="simple")
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    channel: Mapped[str] = mapped_column(String(10), default="web")  # web | phone | email | chat
    contact: Mapped[str] = mapped_column(String(120), default="")
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    escalated: Mapped[bool] = mapped_column(default=False)
    shareable: Mapped[bool] = mapped_column(default=False)  # a solved case everyone may find
    solution: Mapped[str] = mapped_column(Text, default="")
    waiting_reason: Mapped[str] = mapped_column(String(300), default="")  # told to the requester
    # after a due time passed: the engineer's latest expected time and why (each revision is in the ledger)
    expected_at: Mapped[datetime | None] = mapped_column()
    expected_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    first_response_due: Mapped[datetime | None] = mapped_column()
    resolution_due: Mapped[datetime | None] = mapped_column(index=True)  # None while paused
    response_warned: Mapped[bool] = mapped_column(default=False)
    resolution_warned: Mapped[bool] = mapped_column(default=False)
    response_breached: Mapped[bool] = mapped_column(default=False)
    resolution_breached: Mapped[bool] = mapped_column(default=False)

    rating: Mapped[int | None] = mapped_column()
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )  # the FAQ that answers this problem
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock: two agents, one decision

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship(lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    region: Mapped[Region | None] = relationship()
    department: Mapped[Department | None] = relationship()
    article: Mapped[Article | None] = relationship(foreign_keys=[article_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    pauses: Mapped[list[TicketPause]] = relationship(order_by="TicketPause.id", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def number(self) -> str:
        return f"T{self.id:06d}"


class TicketEvent(db.Model):
    """One line of the ledger: who did what, when. Internal notes never reach the requester."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    target_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # new assignee
    body: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    target: Mapped[User | None] = relationship(foreign_keys=[target_id])


class TicketPause(db.Model):
    """A stretch of waiting for the requester: the resolution clock stands still."""

    __tablename__ = "ticket_pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


class Attachment(db.Model):
    __tablename__ = "ticket_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random name on disk
    internal: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuickReply(db.Model):
    """A reply template support inserts with one click ("收到", "需协助" …)."""

    __tablename__ = "quick_replies"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(40), unique=True)
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)


class Deflection(db.Model):
    """ "This solved it" on the ticket form: a ticket that did not need filing. No user id."""

    __tablename__ = "deflections"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")  # what the employee had typed
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
