"""Knowledge-base transactions: reading, voting, editing, categories and bulk import."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import DomainError
from portal.extensions import db
from portal.kb import markdown, rules
from portal.kb.importer import Record
from portal.kb.models import UNCATEGORIZED, Article, ArticleLink, ArticleVote, Category, Manual
from portal.search import queue
from portal.search.documents import make_key

PREFIX = "article"


class ArticleError(DomainError):
    status = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def popularity_order():
    return (Article.view_count + 5 * Article.helpful_yes - 2 * Article.helpful_no).desc()


def readable(query, *, authenticated: bool, is_curator: bool = False):
    """Restrict an Article select to what the reader may see (mirrors rules.can_read)."""
    if not is_curator:
        query = query.where(Article.published.is_(True))
    if not authenticated:
        query = query.where(Article.visibility == "public")
    return query


def home_overview(authenticated: bool) -> dict:
    counts = dict(
        db.session.execute(
            readable(select(Article.category_id, func.count(Article.id)), authenticated=authenticated)
            .where(Article.kind == "faq")
            .group_by(Article.category_id)
        ).all()
    )
    categories = [(c, counts.get(c.id, 0)) for c in list_categories()]
    popular = db.session.scalars(
        readable(select(Article), authenticated=authenticated)
        .where(Article.kind == "faq")
        .order_by(popularity_order(), Article.id)
        .limit(8)
    ).all()
    manuals = db.session.scalars(
        select(Manual).where(Manual.is_current.is_(True)).order_by(Manual.id)
    ).all()  # older editions: from the manual page
    return {"categories": categories, "popular": popular, "manuals": manuals}


def list_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.id)))


def get_category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def category_articles(category: Category, *, authenticated: bool, page: int, per_page: int = 20):
    from portal.kb.editions import current_or_loose

    query = (
        readable(select(Article), authenticated=authenticated)
        .outerjoin(Manual, Article.manual_id == Manual.id)
        .where(Article.category_id == category.id, current_or_loose())
        .order_by(popularity_order(), Article.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_article(article_id: int, *, authenticated: bool, is_curator: bool) -> Article | None:
    article = db.session.get(Article, article_id)
    if article is None or not rules.can_read(
        visibility=article.visibility, published=article.published, authenticated=authenticated, is_curator=is_curator
    ):
        return None
    return article


def linked_articles(article: Article, *, authenticated: bool, is_curator: bool) -> list[Article]:
    """The related questions a curator linked to this article, readable by this reader."""
    rows = db.session.scalars(
        select(Article)
        .join(ArticleLink, ArticleLink.related_id == Article.id)
        .where(ArticleLink.article_id == article.id)
        .order_by(ArticleLink.position)
    )
    return [
        a
        for a in rows
        if rules.can_read(
            visibility=a.visibility, published=a.published, authenticated=authenticated, is_curator=is_curator
        )
    ]


def set_links(article: Article, related_ids: list[int]) -> None:
    """Replace the curator's links (caller validated the ids and commits)."""
    ids = list(dict.fromkeys(i for i in related_ids if i != article.id))
    db.session.execute(db.delete(ArticleLink).where(ArticleLink.article_id == article.id))
    db.session.add_all(ArticleLink(article_id=article.id, related_id=i, position=n) for n, i in enumerate(ids))


def record_view(article: Article) -> None:
    db.session.execute(db.update(Article).where(Article.id == article.id).values(view_count=Article.view_count + 1))
    db.session.commit()


def vote(article: Article, voter: str, helpful: bool) -> None:
    """Record or change a reader's answer; the counters move with it (never counted twice)."""
    existing = db.session.scalar(
        select(ArticleVote).where(ArticleVote.article_id == article.id, ArticleVote.voter == voter)
    )
    yes, no = Article.helpful_yes, Article.helpful_no
    if existing is None:
        db.session.add(ArticleVote(article_id=article.id, voter=voter, helpful=helpful))
        change = {"helpful_yes": yes + 1} if helpful else {"helpful_no": no + 1}
    elif existing.helpful != helpful:
        existing.helpful = helpful
        change = (
            {"helpful_yes": yes + 1, "helpful_no": no - 1}
            if helpful
            else {"helpful_yes": yes - 1, "helpful_no": no + 1}
        )
    else:
        return
    db.session.execute(db.update(Article).where(Article.id == article.id).values(**change))
    try:
        db.session.commit()
    except IntegrityError:  # the same reader's double click landed twice; the first one counts
        db.session.rollback()


def voter_choice(article: Article, voter: str) -> bool | None:
    return db.session.scalar(
        select(ArticleVote.helpful).where(ArticleVote.article_id == article.id, ArticleVote.voter == voter)
    )


@dataclass
class ArticleInput:
    title: str
    body: str
    kind: str
    category_id: int
    visibility: str
    published: bool = True
    manual_id: int | None = None
    position: int = 0
    related_ids: list[int] | None = None  # curator links; None leaves them as they are


def _validate(data: ArticleInput) -> dict[str, str]:
    errors = {}
    if not data.title.strip():
        errors["title"] = _("A title is required.")
    elif len(data.title) > rules.TITLE_MAX:
        errors["title"] = _("The title may have at most %(n)d characters.", n=rules.TITLE_MAX)
    if len(data.body) > rules.BODY_MAX:
        errors["body"] = _("The text may have at most %(n)d characters.", n=rules.BODY_MAX)
    if data.kind not in rules.KINDS:
        errors["kind"] = _("Unknown article type.")
    if data.visibility not in rules.VISIBILITIES:
        errors["visibility"] = _("Unknown visibility.")
    if db.session.get(Category, data.category_id) is None:
        errors["category_id"] = _("Choose a category.")
    if data.manual_id is not None and db.session.get(Manual, data.manual_id) is None:
        errors["manual_id"] = _("Unknown manual.")
    if data.related_ids:
        found = set(db.session.scalars(select(Article.id).where(Article.id.in_(data.related_ids))))
        if missing := [i for i in data.related_ids if i not in found]:
            errors["related"] = _("No article with number %(ids)s.", ids=", ".join(map(str, missing)))
    return errors


def save_article(data: ArticleInput, author: User, article: Article | None = None) -> Article:
    if errors := _validate(data):
        raise ArticleError(errors)
    if article is None:
        article = Article(author=author)
        db.session.add(article)
    article.title = data.title.strip()
    article.body = data.body
    article.body_text = markdown.plain_text(data.body)
    article.kind = data.kind
    article.category_id = data.category_id
    article.visibility = data.visibility
    article.published = data.published
    article.manual_id = data.manual_id if data.kind == "manual" else None
    article.position = data.position
    article.updated_at = utcnow()
    db.session.flush()
    if data.related_ids is not None:
        set_links(article, data.related_ids)
    queue.mark_dirty([make_key(PREFIX, article.id)])
    db.session.commit()
    queue.kick()
    return article


def create_category(name: str, description: str = "") -> Category:
    name = name.strip()
    if not name or len(name) > rules.CATEGORY_MAX:
        raise ArticleError({"name": _("A category needs a name of at most %(n)d characters.", n=rules.CATEGORY_MAX)})
    if db.session.scalar(select(Category.id).where(Category.name == name)):
        raise ArticleError({"name": _("This category already exists.")})
    category = Category(name=name, description=description.strip())
    db.session.add(category)
    db.session.commit()
    return category


def ensure_categories(names) -> dict[str, Category]:
    """Categories by name, creating the missing ones (caller commits)."""
    names = list(dict.fromkeys(names))  # keep the caller's order: seeded categories list first
    found = {c.name: c for c in db.session.scalars(select(Category).where(Category.name.in_(names)))}
    for name in (n for n in names if n not in found):
        found[name] = Category(name=name)
        db.session.add(found[name])
    return found


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_records(records: list[Record], author: User | None = None) -> ImportCounts:
    """Upsert by external_id in one transaction and queue the index updates."""
    counts = ImportCounts()
    categories = ensure_categories([*(r.category for r in records), UNCATEGORIZED])
    existing: dict[str, Article] = {}
    ids = [r.external_id for r in records]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        existing.update(
            (a.external_id, a) for a in db.session.scalars(select(Article).where(Article.external_id.in_(chunk)))
        )
    touched: list[Article] = []
    now = utcnow()
    for rec in records:
        article = existing.get(rec.external_id)
        values = {"title": rec.title, "body": rec.body, "kind": rec.kind, "category": categories[rec.category]}
        if article is None:
            article = Article(external_id=rec.external_id, author=author, visibility="public", **values)
            db.session.add(article)
            counts.created += 1
        elif any(getattr(article, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(article, k, v)
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        article.body_text = markdown.plain_text(rec.body)
        article.updated_at = now
        touched.append(article)
    db.session.flush()
    queue.mark_dirty(make_key(PREFIX, a.id) for a in touched)
    db.session.commit()
    return counts
