"""How knowledge-base articles become index documents (registered with portal.search)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.kb import queries, rules
from portal.kb.editions import current_or_loose, indexable, is_draft
from portal.kb.models import Article, Manual
from portal.search.documents import Source, Title, make_key, register, register_home

PREFIX = "article"


def stamp(updated_at, views: int, yes: int, no: int, edition: str | None = None, current: bool | None = None) -> str:
    bucket = rules.popularity_bucket(rules.popularity(views, yes, no))
    text = f"{updated_at:%Y%m%d%H%M%S%f}-{bucket}"
    if edition is not None:  # a manual chapter: its index entry changes with its edition's state
        text += f"-{edition}-{'c' if current else 'o'}"
    return text


def _articles(*columns):
    """Published articles, chapters of draft editions left out (indexed once published)."""
    return (
        select(*columns)
        .outerjoin(Manual, Article.manual_id == Manual.id)
        .where(Article.published.is_(True), indexable())
    )


def _load(ids: list[int]) -> list[dict]:
    rows = db.session.scalars(
        _articles(Article).options(joinedload(Article.category), joinedload(Article.manual)).where(Article.id.in_(ids))
    )
    return [
        {
            **_edition_fields(a),
            "key": make_key(PREFIX, a.id),
            "kind": a.kind,
            "category": a.category.name,
            "visibility": a.visibility,
            "external_id": a.external_id or "",
            "title": a.title,
            "body": a.body_text,
            "popularity": a.popularity,
            "stamp": stamp(
                a.updated_at,
                a.view_count,
                a.helpful_yes,
                a.helpful_no,
                *((a.manual.edition, a.manual.is_current) if a.manual else ()),
            ),
        }
        for a in rows
    ]


def _edition_fields(article: Article) -> dict:
    if article.manual is None:
        return {"archived": False}
    fields = {"archived": not article.manual.is_current}
    if article.manual.edition:
        fields["edition"] = article.manual.edition
    return fields


def _stamps():
    rows = db.session.execute(
        _articles(
            Article.id,
            Article.updated_at,
            Article.view_count,
            Article.helpful_yes,
            Article.helpful_no,
            Article.manual_id,
            Manual.edition,
            Manual.is_current,
        ).order_by(Article.id)
    )
    for ident, updated_at, views, yes, no, manual_id, edition, current in rows:
        yield ident, stamp(updated_at, views, yes, no, *((edition, current) if manual_id is not None else ()))


def _snippets(ids: list[int]) -> dict[int, dict]:
    rows = db.session.execute(select(Article.id, Article.title, Article.body_text).where(Article.id.in_(ids)))
    return {
        ident: {"title": title, "text": text, "url": url_for("kb.show_article", article_id=ident)}
        for ident, title, text in rows
    }


def _readable(ident: int, viewer) -> dict | None:
    article = db.session.get(Article, ident)
    if article is None or not rules.can_read(
        visibility=article.visibility,
        published=article.published,
        authenticated=viewer.authenticated,
        is_curator=bool(viewer.roles & {"curator", "admin"}),
    ):
        return None
    if is_draft(article.manual) and not viewer.roles & {"curator", "admin"}:
        return None
    return {"title": article.title, "url": url_for("kb.show_article", article_id=ident)}


def _titles(limit: int) -> list[Title]:
    """Completion: published articles and chapters of current editions, most popular first."""
    popularity = Article.view_count + 5 * Article.helpful_yes - 2 * Article.helpful_no
    rows = db.session.execute(
        select(Article.id, Article.title, Article.visibility, popularity)
        .outerjoin(Manual, Article.manual_id == Manual.id)
        .where(Article.published.is_(True), current_or_loose())
        .order_by(popularity.desc())
        .limit(limit)
    )
    return [
        Title(title, float(pop or 0), visibility == "public", url_for("kb.show_article", article_id=ident))
        for ident, title, visibility, pop in rows
    ]


def _keys_for_words(words: set[str]) -> list[int]:
    """Articles whose titles hold one of the words (a domain word changes their segmentation)."""
    return list(db.session.scalars(select(Article.id).where(or_(*(Article.title.contains(w) for w in words)))))


def register_source() -> None:
    register(
        Source(
            prefix=PREFIX,
            load=_load,
            stamps=_stamps,
            snippets=_snippets,
            readable=_readable,
            titles=_titles,
            keys_for_words=_keys_for_words,
        )
    )
    register_home(queries.home_overview)  # the empty search page shows the KB's categories
