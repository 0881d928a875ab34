"""The index outbox: one row per document whose index entry must be refreshed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.auth.models import utcnow
from portal.extensions import db


class IndexJob(db.Model):
    """Written in the same transaction as the change, so a crash cannot lose an index update."""

    __tablename__ = "index_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
