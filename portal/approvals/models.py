"""Approvals: a request made from a template, its route of steps (one round per submission),
its history and absence delegations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Department, User
from portal.core.clock import utcnow
from portal.extensions import db


class ApprovalRequest(db.Model):
    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_state_requester", "state", "requester_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_key: Mapped[str] = mapped_column(String(40), index=True)
    template_version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # cleaned values, JSON-safe
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    target_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    state: Mapped[str] = mapped_column(String(20), default="in_progress", index=True)
    fast_track: Mapped[bool] = mapped_column(default=False)
    route_reason: Mapped[str] = mapped_column(String(20), default="amount")
    round: Mapped[int] = mapped_column(default=1)  # a return for changes starts a new round
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | api
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()  # fast track: 24 working hours in all
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    target_department: Mapped[Department | None] = relationship(foreign_keys=[target_department_id])
    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="request", order_by="(ApprovalStep.round, ApprovalStep.position)", cascade="all, delete-orphan"
    )
    events: Mapped[list[ApprovalEvent]] = relationship(order_by="ApprovalEvent.id", cascade="all, delete-orphan")

    @property
    def number(self) -> str:
        return f"A{self.id:06d}"

    @property
    def current_steps(self) -> list[ApprovalStep]:
        return [s for s in self.steps if s.round == self.round]


class ApprovalStep(db.Model):
    """One node of the route: who decides, in which capacity, by when, and what they decided."""

    __tablename__ = "approval_steps"
    __table_args__ = (
        UniqueConstraint("request_id", "round", "position", name="uq_approval_steps_node"),
        Index("ix_approval_steps_approver_state", "approver_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column()
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # delegation
    role: Mapped[str] = mapped_column(String(20))  # supervisor | manager | division_leader
    state: Mapped[str] = mapped_column(
        String(20), default="waiting"
    )  # waiting | pending | approved | rejected | returned | skipped
    started_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_at: Mapped[datetime | None] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    reminded: Mapped[bool] = mapped_column(default=False)
    overdue: Mapped[bool] = mapped_column(default=False)

    request: Mapped[ApprovalRequest] = relationship(back_populates="steps")
    approver: Mapped[User] = relationship(foreign_keys=[approver_id], lazy="joined")
    acting_for: Mapped[User | None] = relationship(foreign_keys=[acting_for_id])


class ApprovalEvent(db.Model):
    __tablename__ = "approval_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("approval_steps.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class Delegation(db.Model):
    """An absent approver's stand-in for a period (both days included)."""

    __tablename__ = "approval_delegations"
    id: Mapped[int] = mapped_column(primary_key=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts: Mapped[date] = mapped_column()
    ends: Mapped[date] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)

    approver: Mapped[User] = relationship(foreign_keys=[approver_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])
