"""Knowledge-base reads for pages: the search home's overview, categories, articles, links,
votes and manuals; the drafts desk and the versions of an article. Nothing here writes (the
writers are in services.py and reviewing.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.kb import rules
from portal.kb.editions import current_or_loose
from portal.kb.models import Article, ArticleLink, ArticleVersion, ArticleVote, Category, Manual
from portal.kb.workflow import UNPUBLISHED, Origin, Status


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
    query = (
        readable(select(Article), authenticated=authenticated)
        .outerjoin(Manual, Article.manual_id == Manual.id)
        .where(Article.category_id == category.id, current_or_loose())
        .order_by(popularity_order(), Article.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def find_article(article_id: int) -> Article | None:
    """An article by number, whoever may read it (the curators' edit page)."""
    return db.session.get(Article, article_id)


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


def voter_choice(article: Article, voter: str) -> bool | None:
    return db.session.scalar(
        select(ArticleVote.helpful).where(ArticleVote.article_id == article.id, ArticleVote.voter == voter)
    )


def get_manual(manual_id: int) -> Manual | None:
    return db.session.get(Manual, manual_id)


def list_manuals() -> list[Manual]:
    """Every edition of every manual, for the article form's manual choice."""
    return list(db.session.scalars(select(Manual)))


def manual_titles() -> list[str]:
    return sorted(set(db.session.scalars(select(Manual.title))))


def manuals_by_title() -> list[Manual]:
    """One manual row per title (the first), in title order: `portal manual list` starts from each."""
    seen: set[str] = set()
    out = []
    for m in db.session.scalars(select(Manual).order_by(Manual.title, Manual.id)):
        if m.title not in seen:
            seen.add(m.title)
            out.append(m)
    return out


# The drafts desk


@dataclass(frozen=True)
class DraftFilter:
    status: str = ""  # "" (both), draft, review
    origin: str = ""  # a workflow.Origin, or "" for any
    category: int | None = None
    mine: bool = False  # drafted or submitted by the curator looking

    @classmethod
    def parse(cls, args) -> DraftFilter:
        """The desk's query string, anything unknown dropped (a stale link still lists)."""
        status = args.get("status", "")
        origin = args.get("origin", "")
        category = args.get("category", "")
        return cls(
            status=status if status in {s.value for s in UNPUBLISHED} else "",
            origin=origin if origin in {o.value for o in Origin} else "",
            category=int(category) if category.isdigit() and len(category) < 10 else None,
            mine=args.get("mine") == "1",
        )

    def args(self) -> dict:
        """The filters as query arguments (for the pager and the tabs), empty ones left out."""
        out = {k: v for k, v in asdict(self).items() if v not in ("", None, False)}
        if self.mine:
            out["mine"] = "1"
        return out


def drafts(f: DraftFilter, me_id: int, page: int, per_page: int = 20):
    """Unpublished articles: those waiting for review first, longest waiting first; then drafts,
    last changed first."""
    query = select(Article).where(Article.status.in_([s.value for s in UNPUBLISHED]))
    if f.status:
        query = query.where(Article.status == f.status)
    if f.origin:
        query = query.where(Article.origin == f.origin)
    if f.category is not None:
        query = query.where(Article.category_id == f.category)
    if f.mine:
        query = query.where(or_(Article.author_id == me_id, Article.submitted_by_id == me_id))
    waiting = Article.status == Status.REVIEW.value
    query = query.order_by(
        case((waiting, 0), else_=1),
        case((waiting, Article.submitted_at)),
        Article.updated_at.desc(),
        Article.id.desc(),
    ).options(
        selectinload(Article.author),
        selectinload(Article.submitted_by),
        selectinload(Article.reviewed_by),
        selectinload(Article.origin_article),
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def draft_counts() -> dict[str, int]:
    """How many articles are drafts and how many wait for review."""
    rows = db.session.execute(
        select(Article.status, func.count(Article.id))
        .where(Article.status.in_([s.value for s in UNPUBLISHED]))
        .group_by(Article.status)
    ).all()
    counts = {s.value: 0 for s in UNPUBLISHED}
    counts.update(dict(rows))
    return counts


def latest_versions(ids: list[int]) -> dict[int, ArticleVersion]:
    """The newest version of each of these articles (who last changed it, and when)."""
    if not ids:
        return {}
    newest = (
        select(ArticleVersion.article_id, func.max(ArticleVersion.number).label("number"))
        .where(ArticleVersion.article_id.in_(ids))
        .group_by(ArticleVersion.article_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(ArticleVersion)
        .join(newest, (ArticleVersion.article_id == newest.c.article_id) & (ArticleVersion.number == newest.c.number))
        .options(selectinload(ArticleVersion.author))
    )
    return {v.article_id: v for v in rows}


def versions(article_id: int) -> list[ArticleVersion]:
    """Every kept version of an article, newest first."""
    return list(
        db.session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.number.desc())
            .options(selectinload(ArticleVersion.author))
        )
    )


def get_version(article_id: int, number: int) -> ArticleVersion | None:
    return db.session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id, ArticleVersion.number == number)
    )
