"""Knowledge base: categories, manuals, articles (FAQ or manual chapter) and helpfulness votes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.extensions import db
from portal.kb.rules import SEED_CATEGORIES, UNCATEGORIZED, popularity
from portal.kb.workflow import Origin, Status

__all__ = [
    "SEED_CATEGORIES",
    "UNCATEGORIZED",
    "Article",
    "ArticleLink",
    "ArticleVersion",
    "ArticleVote",
    "Category",
    "Manual",
    "Picture",
]


class Category(db.Model):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Manual(db.Model):
    __tablename__ = "manuals"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    edition: Mapped[str] = mapped_column(String(60), default="")  # e.g. 2026Q4: a new one each quarter
    released_on: Mapped[date | None] = mapped_column()
    is_current: Mapped[bool] = mapped_column(default=True)  # the edition searched by default
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    chapters: Mapped[list[Article]] = relationship(back_populates="manual", order_by="Article.position")


class Article(db.Model):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="faq", index=True)  # faq | manual
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    body_text: Mapped[str] = mapped_column(Text, default="")  # plain text for index and snippets
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    manual_id: Mapped[int | None] = mapped_column(ForeignKey("manuals.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # chapter order inside a manual
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    visibility: Mapped[str] = mapped_column(String(10), default="public")  # public | internal
    # draft | review | published (workflow.py); a new row is a draft unless its writer says otherwise
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value, index=True)
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the ticket this FAQ was drafted from (the ticket links back through tickets.article_id)
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", use_alter=True, ondelete="SET NULL"))
    # why it was drafted (workflow.Origin): the zero-result query, the article readers found unhelpful
    origin: Mapped[str] = mapped_column(String(10), default=Origin.CURATOR.value)
    origin_query: Mapped[str] = mapped_column(String(200), default="")
    origin_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))  # articles are never deleted
    # the review: who submitted it and when; who published it or sent it back, when, and why
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column()

    category: Mapped[Category] = relationship(lazy="joined")
    manual: Mapped[Manual | None] = relationship(back_populates="chapters")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    origin_article: Mapped[Article | None] = relationship(remote_side=[id], foreign_keys=[origin_article_id])

    @hybrid_property
    def published(self) -> bool:
        """Readers see it (status published): the one condition every reader's query uses."""
        return self.status == Status.PUBLISHED

    @published.inplace.setter
    def _published_setter(self, value: bool) -> None:
        # writers that only know "published or not" (an edition's copy, a test's factory); an
        # unpublished article keeps its place in the review (a draft stays a draft, one waiting stays waiting)
        if value:
            self.status = Status.PUBLISHED.value
        elif self.status in (None, Status.PUBLISHED):
            self.status = Status.DRAFT.value

    @published.inplace.expression
    @classmethod
    def _published_expression(cls):
        return cls.status == Status.PUBLISHED.value

    @property
    def popularity(self) -> int:
        return popularity(self.view_count, self.helpful_yes, self.helpful_no)


class ArticleVersion(db.Model):
    """One saved state of an article: every save that changes its title, text, category or kind
    adds one (numbered from 1 per article); restoring an old one adds a new one."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_versions_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    category_name: Mapped[str] = mapped_column(String(60), default="")  # as it was called then
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")  # "restored from version 2", "imported" …
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class ArticleVote(db.Model):
    """One "did this solve your problem?" answer per reader (user, or browser session)."""

    __tablename__ = "article_votes"
    __table_args__ = (UniqueConstraint("article_id", "voter", name="uq_article_votes_article_voter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(80))  # "user:12" or "anon:<session nonce>"
    helpful: Mapped[bool] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleLink(db.Model):
    """A related question a curator set by hand (shown first under the article)."""

    __tablename__ = "article_links"
    __table_args__ = (UniqueConstraint("article_id", "related_id", name="uq_article_links_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)


class Picture(db.Model):
    """A picture uploaded for articles and chapters (portal/kb/picture_store.py): the re-encoded
    original and, when it is wider than the pages show, a narrower rendition, both in the file
    store. It belongs to the articles whose text shows its address; who may see it follows them."""

    __tablename__ = "kb_pictures"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # content hash: the address never changes
    format: Mapped[str] = mapped_column(String(10))  # png | jpeg | webp
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column()  # bytes of the stored original
    stored_original: Mapped[str] = mapped_column(String(64))
    stored_rendition: Mapped[str | None] = mapped_column(String(64))
    rendition_width: Mapped[int | None] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
