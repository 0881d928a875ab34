"""Related questions: links curators set, what searchers clicked together, then similar text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.core.viewer import Viewer
from portal.extensions import db
from portal.search import documents, query
from portal.search.models import SearchClick, SearchLog


@dataclass(frozen=True)
class Related:
    key: str
    title: str
    url: str
    reason: str  # "curated" | "clicked" | "similar"


def co_clicked(doc_key: str, limit: int = 10) -> list[tuple[str, int]]:
    """Documents clicked in the same browser sessions as `doc_key`, most shared first."""
    c1, c2 = aliased(SearchClick), aliased(SearchClick)
    l1, l2 = aliased(SearchLog), aliased(SearchLog)
    shared = func.count(func.distinct(l1.session_token))
    rows = db.session.execute(
        select(c2.doc_key, shared)
        .select_from(c1)
        .join(l1, l1.id == c1.search_id)
        .join(l2, l2.session_token == l1.session_token)
        .join(c2, c2.search_id == l2.id)
        .where(c1.doc_key == doc_key, c2.doc_key != doc_key)
        .group_by(c2.doc_key)
        .order_by(shared.desc(), c2.doc_key)
        .limit(limit)
    )
    return [(key, n) for key, n in rows]


def related(
    doc_key: str,
    text: str,
    viewer: Viewer,
    *,
    curated: list[Related] = (),
    limit: int = 5,
    skip: set[str] = frozenset(),
    similar: bool = True,
) -> list[Related]:
    """Curated links, then co-clicks, then (if `similar`) documents with similar text."""
    out: list[Related] = []
    seen = {doc_key, *skip}

    def add(item: Related):
        if item.key not in seen and len(out) < limit:
            seen.add(item.key)
            out.append(item)

    for item in curated:
        add(item)
    clicked = [key for key, _ in co_clicked(doc_key)]
    if clicked and len(out) < limit:
        for item in _visible(clicked, viewer):
            add(Related(item.key, item.title, item.url, "clicked"))
    if similar and len(out) < limit:
        for hit in query.search(
            text, viewer, page=1, pagelen=limit + len(seen), exclude=doc_key, exact=True, meaning=False
        ).hits:
            add(Related(hit.key, hit.title, hit.url, "similar"))
    return out


def _visible(keys: list[str], viewer: Viewer):
    """The documents of `keys` this viewer may open, in the order given (via the same source
    and access rules as search results)."""
    out = []
    for key in keys:
        prefix, ident = documents.split_key(key)
        info = documents.source(prefix).readable(ident, viewer)
        if info is not None:
            out.append(Related(key, info["title"], info["url"], "clicked"))
    return out
