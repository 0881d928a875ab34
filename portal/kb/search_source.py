"""How knowledge-base articles become index documents (registered with portal.search)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.kb import rules
from portal.kb.models import Article
from portal.search.documents import Source, make_key, register

PREFIX = "article"


def stamp(updated_at, views: int, yes: int, no: int) -> str:
    bucket = rules.popularity_bucket(rules.popularity(views, yes, no))
    return f"{updated_at:%Y%m%d%H%M%S%f}-{bucket}"


def _load(ids: list[int]) -> list[dict]:
    rows = db.session.scalars(select(Article).options(joinedload(Article.category))
                              .where(Article.id.in_(ids), Article.published.is_(True)))
    return [{
        "key": make_key(PREFIX, a.id),
        "kind": a.kind,
        "category": a.category.name,
        "visibility": a.visibility,
        "external_id": a.external_id or "",
        "title": a.title,
        "body": a.body_text,
        "popularity": a.popularity,
        "stamp": stamp(a.updated_at, a.view_count, a.helpful_yes, a.helpful_no),
    } for a in rows]


def _stamps():
    rows = db.session.execute(select(Article.id, Article.updated_at, Article.view_count,
                                     Article.helpful_yes, Article.helpful_no)
                              .where(Article.published.is_(True)).order_by(Article.id))
    for ident, updated_at, views, yes, no in rows:
        yield ident, stamp(updated_at, views, yes, no)


def _snippets(ids: list[int]) -> dict[int, dict]:
    rows = db.session.execute(select(Article.id, Article.title, Article.body_text)
                              .where(Article.id.in_(ids)))
    return {ident: {"title": title, "text": text,
                    "url": url_for("kb.show_article", article_id=ident)}
            for ident, title, text in rows}


def _readable(ident: int, viewer) -> dict | None:
    article = db.session.get(Article, ident)
    if article is None or not rules.can_read(
            visibility=article.visibility, published=article.published,
            authenticated=viewer.authenticated, is_curator=bool(viewer.roles & {"curator", "admin"})):
        return None
    return {"title": article.title, "url": url_for("kb.show_article", article_id=ident)}


def register_source() -> None:
    register(Source(prefix=PREFIX, load=_load, stamps=_stamps, snippets=_snippets, readable=_readable))

