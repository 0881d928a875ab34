"""Completion entries: the titles the document sources offer and popular searches, cached per process."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from portal.core.clock import utcnow
from portal.extensions import db
from portal.search import analysis, documents
from portal.search import popular as popular_rule
from portal.search.models import SearchLog
from portal.search.queue import current_store
from portal.search.ranker import VIEWS, View
from portal.search.suggest import Entry, Suggester

TTL = 30.0  # seconds a built suggester is used before it is rebuilt
MAX_TITLES = 20_000  # the most popular titles; beyond that, search itself takes over
MAX_QUERIES = 2_000

_lock = threading.Lock()
_cache: dict[str, tuple[float, Suggester]] = {}


def word_starts(text: str) -> list[int]:
    starts, pos = [], 0
    for tok in analysis.tokens(text):
        if tok.start >= pos:
            starts.append(tok.start)
            pos = tok.end
    return starts or [0]


def _entries() -> list[Entry]:
    # Titles come from the sources that offer them (the KB registers its articles and current
    # manual chapters); search does not read other domains' tables.
    entries = [Entry(t.text, t.popularity, "title", t.public, t.url) for t in documents.titles(MAX_TITLES)]
    entries.extend(Entry(p.text, float(p.users), "query") for p in popular_searches())
    return entries


def popular_searches() -> list[popular_rule.Popular]:
    """Past searches offered to everyone (`popular.py` decides; this only reads the log and the
    index): the database narrows the log to texts enough signed-in people searched, the rule
    checks each search against what is public in the index now."""
    cfg = current_app.config
    rule = popular_rule.Rule(min_users=int(cfg["SEARCH_POPULAR_MIN_USERS"]), shown=int(cfg["SEARCH_POPULAR_SHOWN"]))
    candidate = (
        SearchLog.created_at >= utcnow() - timedelta(days=int(cfg["SEARCH_POPULAR_DAYS"])),
        SearchLog.source == "web",
        SearchLog.searcher.is_not(None),
        SearchLog.corrected.is_(False),
        SearchLog.shown != "",
    )
    people = func.count(func.distinct(SearchLog.searcher))
    texts = (
        select(SearchLog.query)
        .where(*candidate)
        .group_by(SearchLog.query)
        .having(people >= rule.min_users)
        .order_by(people.desc(), SearchLog.query)
        .limit(MAX_QUERIES)
    )
    rows = db.session.execute(
        select(
            SearchLog.query, SearchLog.typed, SearchLog.corrected, SearchLog.source, SearchLog.searcher, SearchLog.shown
        )
        .where(*candidate, SearchLog.query.in_(texts.scalar_subquery()))
        .distinct()
    )
    public = VIEWS.get(current_store()).derived("public-keys", None, public_keys)
    logged = (
        popular_rule.Logged(q, typed, corrected, source, who, tuple(shown.split()))
        for q, typed, corrected, source, who, shown in rows
    )
    return popular_rule.popular(logged, public.__contains__, rule, limit=MAX_QUERIES)


def public_keys(view: View) -> frozenset[str]:
    """Keys of the live documents anonymous visitors may read, once per index view."""
    live = view.live
    keys: set[str] = set()
    pos = 0
    for block, _ in view.parts:
        for key, visibility in zip(block.doc_keys, block.visibility):
            if live[pos] and "public" in visibility:
                keys.add(key)
            pos += 1
    return frozenset(keys)


def suggester() -> Suggester:
    key = f"{id(current_app._get_current_object())}:{current_app.config['SQLALCHEMY_DATABASE_URI']}"
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < TTL:
        return hit[1]
    with _lock:
        hit = _cache.get(key)
        if hit is None or time.monotonic() - hit[0] >= TTL:
            hit = (time.monotonic(), Suggester(_entries(), word_starts))
            _cache[key] = hit
    return hit[1]


def invalidate() -> None:
    """After a curator's change, so the next keystroke sees it."""
    _cache.clear()


def suggest(prefix: str, *, authenticated: bool, limit: int = 8) -> list[Entry]:
    return suggester().suggest(prefix, public_only=not authenticated, limit=limit)
