"""audit_events: one row per recorded act. Rows are only ever added; `hash` covers the row and the
hash of the row before it, so an edited, inserted or deleted row breaks the chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    # who acted (None: the system, or someone not signed in) and whose data it was; the names are
    # copies, so the row reads (and verifies) the same after an account is renamed
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject_name: Mapped[str] = mapped_column(String(64), default="")
    target: Mapped[str] = mapped_column(String(120), default="", index=True)  # "ticket:12", "user:wang.fang"
    ip: Mapped[str] = mapped_column(String(45), default="")
    # canonical JSON (sorted keys) or "" — text, so the hash is over exactly what is stored
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])

    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)
