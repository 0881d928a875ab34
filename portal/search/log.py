"""The search log: what people searched, how many hits, what they clicked, whether a ticket followed.

Personal data is limited to what the analytics need: no user id and no address, only a random
token per browser session that ties a search to its clicks (and, later, to a ticket).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import delete, select

from portal.core.clock import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.search.models import SearchClick, SearchLog

REFINE_WINDOW = timedelta(seconds=20)  # typing on: the same search, not a new one
MAX_QUERY = 200


def session_token() -> str:
    if "search_token" not in session:
        session["search_token"] = secrets.token_hex(8)
    return session["search_token"]


def record_search(token: str, typed: str, searched: str, corrected: bool, hits: int, source: str = "web") -> int:
    """Log a search; a query extended or shortened while typing updates the previous row."""
    now = utcnow()
    searched, typed = searched[:MAX_QUERY], typed[:MAX_QUERY]
    with unit_of_work():
        last = db.session.scalar(
            select(SearchLog).where(SearchLog.session_token == token).order_by(SearchLog.id.desc()).limit(1)
        )
        if (
            last is not None
            and last.clicks == 0
            and now - last.updated_at < REFINE_WINDOW
            and (searched.startswith(last.query) or last.query.startswith(searched))
        ):
            row = last
        else:
            row = SearchLog(session_token=token, source=source, created_at=now)
            db.session.add(row)
        row.query, row.typed, row.corrected, row.hits, row.updated_at = searched, typed, corrected, hits, now
        db.session.flush()
        ident = row.id
    return ident


def record_click(token: str, search_id: int, doc_key: str, rank: int) -> bool:
    """Count a click on a result, only for a search of this same session."""
    with unit_of_work():
        row = db.session.get(SearchLog, search_id)
        if row is None or row.session_token != token:
            return False
        db.session.add(SearchClick(search_id=search_id, doc_key=doc_key, rank=max(0, min(rank, 1000))))
        row.clicks += 1
    return True


KEEP = timedelta(days=365)


def prune(now=None) -> int:
    """Delete searches older than KEEP; their clicks go with them (ON DELETE CASCADE)."""
    cutoff = (now or utcnow()) - KEEP
    with unit_of_work():
        old = list(db.session.scalars(select(SearchLog.id).where(SearchLog.created_at < cutoff)))
        for start in range(0, len(old), 500):
            chunk = old[start : start + 500]
            db.session.execute(delete(SearchClick).where(SearchClick.search_id.in_(chunk)))
            db.session.execute(delete(SearchLog).where(SearchLog.id.in_(chunk)))
    return len(old)
