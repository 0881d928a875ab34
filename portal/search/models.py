"""The index outbox: one row per document whose index entry must be refreshed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.clock import utcnow
from portal.extensions import db


class IndexJob(db.Model):
    """Written in the same transaction as the change, so a crash cannot lose an index update."""

    __tablename__ = "index_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchLog(db.Model):
    """One search as the user finally typed it. No user id and no address: a random per-session
    token links the search to its clicks and to a ticket filed afterwards, and nothing more.

    `searcher` tells distinct signed-in people apart for the popular searches, and only per query:
    it is a keyed hash of (user, query), so the same person's searches of two texts carry
    unrelated values and no row says who searched. `shown` keeps the keys of the first results
    shown, which must all be public for the query to be offered to everyone."""

    __tablename__ = "search_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_token: Mapped[str] = mapped_column(String(32), index=True)
    query: Mapped[str] = mapped_column(String(200), index=True)  # folded, as searched for
    typed: Mapped[str] = mapped_column(String(200))  # as typed
    corrected: Mapped[bool] = mapped_column(default=False)
    hits: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | api
    searcher: Mapped[str | None] = mapped_column(String(32))  # None: not signed in on the web
    shown: Mapped[str] = mapped_column(String(255), default="")  # space-separated document keys
    clicks: Mapped[int] = mapped_column(default=0)
    ticket_filed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchClick(db.Model):
    __tablename__ = "search_clicks"
    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("search_log.id", ondelete="CASCADE"), index=True)
    doc_key: Mapped[str] = mapped_column(String(80), index=True)
    rank: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SynonymSet(db.Model):
    """Words that mean the same here (报销, 费用报销); a query with one also finds the others."""

    __tablename__ = "synonym_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    words: Mapped[str] = mapped_column(String(500))  # comma-separated, folded
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DomainWord(db.Model):
    """A word of the enterprise's own vocabulary (系统名, 部门名 …) for segmentation and repair."""

    __tablename__ = "domain_words"
    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(40), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocVector(db.Model):
    """The sentence embedding of an indexed document, kept while its text is unchanged."""

    __tablename__ = "doc_vectors"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(16))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
