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
from portal.search.models import SearchLog
from portal.search.suggest import Entry, Suggester

TTL = 30.0  # seconds a built suggester is used before it is rebuilt
MAX_TITLES = 20_000  # the most popular titles; beyond that, search itself takes over
QUERY_DAYS = 90
MIN_QUERY_COUNT = 2

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
    since = utcnow() - timedelta(days=QUERY_DAYS)
    queries = db.session.execute(
        select(SearchLog.query, func.count(SearchLog.id))
        .where(SearchLog.created_at >= since, SearchLog.hits > 0)
        .group_by(SearchLog.query)
        .having(func.count(SearchLog.id) >= MIN_QUERY_COUNT)
        .order_by(func.count(SearchLog.id).desc())
        .limit(2_000)
    )
    entries.extend(Entry(q, float(n), "query") for q, n in queries)
    return entries


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
