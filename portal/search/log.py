"""The search log: what people searched, how many hits, what they clicked, whether a ticket followed.

Personal data is limited to what the analytics need: no user id and no address, only a random
token per browser session that ties a search to its clicks (and, later, to a ticket), and for a
search typed by someone signed in a keyed hash of (person, query) that lets popular searches
count distinct people without saying who they are (`searcher_mark`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta

from flask import current_app, has_request_context, session
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


def searcher_mark(user_id: int, query: str) -> str:
    """The same value for one person's searches of one text, unrelated values across texts or
    people; without the secret key it cannot be traced back to the person."""
    secret = current_app.config["SECRET_KEY"]
    key = secret if isinstance(secret, bytes) else str(secret).encode()
    return hmac.new(key, f"search-log\0{user_id}\0{query}".encode(), hashlib.sha256).hexdigest()[:32]


def _signed_in_here() -> bool:
    """Signed in with the session cookie, by the sign-in page: a bearer token alone is a robot's."""
    return has_request_context() and bool(session.get("_user_id"))


def shown_keys(keys: Sequence[str]) -> str:
    """The first SEARCH_POPULAR_SHOWN result keys, as many whole keys as the column holds."""
    out: list[str] = []
    for key in keys[: current_app.config["SEARCH_POPULAR_SHOWN"]]:
        if len(" ".join([*out, key])) > SHOWN_MAX:
            break
        out.append(key)
    return " ".join(out)


SHOWN_MAX = 255


def record_search(
    token: str,
    typed: str,
    searched: str,
    corrected: bool,
    hits: int,
    source: str = "web",
    *,
    user_id: int | None = None,
    shown: Sequence[str] | None = None,
    allow_new: Callable[[], bool] | None = None,
) -> int | None:
    """Log a search; a query extended or shortened while typing updates the previous row.

    `shown`: the keys of the first results when they are the top of the whole knowledge base
    (first page, no filter); None keeps what the row recorded. `allow_new`: asked before a new row
    is added (the per-client allowance); when it says no, nothing is logged and None returned."""
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
        elif allow_new is not None and not allow_new():
            return None
        else:
            row = SearchLog(session_token=token, source=source, created_at=now, shown="")
            db.session.add(row)
        if shown is not None:
            row.shown = shown_keys(shown)
        elif row.query != searched:  # what the row showed was for another text
            row.shown = ""
        row.query, row.typed, row.corrected, row.hits, row.updated_at = searched, typed, corrected, hits, now
        signed_in = user_id is not None and source == "web" and _signed_in_here()
        row.searcher = searcher_mark(user_id, searched) if signed_in and user_id is not None else None
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
