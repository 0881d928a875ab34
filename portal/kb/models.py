"""Knowledge base: categories, manuals, articles (FAQ or manual chapter) and helpfulness votes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.extensions import db
from portal.kb.rules import SEED_CATEGORIES, UNCATEGORIZED, popularity

__all__ = [
    "SEED_CATEGORIES",
    "UNCATEGORIZED",
    "Article",
    "ArticleLink",
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
    published: Mapped[bool] = mapped_column(default=True)
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the ticket this FAQ was drafted from (the ticket links back through tickets.article_id)
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", use_alter=True, ondelete="SET NULL"))

    category: Mapped[Category] = relationship(lazy="joined")
    manual: Mapped[Manual | None] = relationship(back_populates="chapters")
    author: Mapped[User | None] = relationship()

    @property
    def popularity(self) -> int:
        return popularity(self.view_count, self.helpful_yes, self.helpful_no)


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
