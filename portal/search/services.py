"""Operator-level index work: full rebuild with swap, and drift check/repair."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import delete, select

from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.search import documents, queue
from portal.search.models import IndexJob

CHUNK = 500
log = logging.getLogger(__name__)


def reindex(progress: Callable[[int], None] | None = None, procs: int = 1, embed: bool = True) -> int:
    """Build every document into a fresh generation, then swap it in atomically; then bring
    the document vectors up to date (only changed texts are embedded again)."""
    store = queue.current_store()
    total = 0
    with store.writer_lock(timeout=600):
        # Jobs already committed are covered by the rebuild, which reads the database after them.
        covered = list(db.session.scalars(select(IndexJob.id)))
        gen = store.new_generation()
        ix = store.open_generation(gen)
        writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)
        try:
            for source in documents.sources():
                ids = [ident for ident, _stamp in source.stamps()]
                for start in range(0, len(ids), CHUNK):
                    docs = source.load(ids[start : start + CHUNK])
                    for doc in docs:
                        writer.add_document(**doc)
                    total += len(docs)
                    db.session.expire_all()
                    if progress:
                        progress(len(docs))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        store.swap(gen)
        with unit_of_work():
            for start in range(0, len(covered), CHUNK):
                db.session.execute(delete(IndexJob).where(IndexJob.id.in_(covered[start : start + CHUNK])))
    if embed and current_app.config.get("SEARCH_SEMANTIC", True):
        from portal.search import semantic

        semantic.embed_all()
    return total


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: list[str] = field(default_factory=list)  # indexed from an older version
    orphaned: list[str] = field(default_factory=list)  # in the index, gone from the database
    checked: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def check(repair: bool = False) -> Drift:
    """Compare database and index; with repair, queue and apply every difference."""
    drift = Drift()
    expected: dict[str, str] = {}
    for source in documents.sources():
        for ident, stamp in source.stamps():
            expected[documents.make_key(source.prefix, ident)] = stamp
    searcher = queue.current_store().searcher()
    indexed = {f["key"]: f.get("stamp", "") for f in searcher.all_stored_fields()}
    drift.checked = len(expected)
    for key, stamp in expected.items():
        if key not in indexed:
            drift.missing.append(key)
        elif indexed[key] != stamp:
            drift.stale.append(key)
    drift.orphaned = [k for k in indexed if k not in expected]
    if repair and not drift.clean:
        with unit_of_work():
            queue.mark_dirty(drift.missing + drift.stale + drift.orphaned)
        queue.drain()  # at once, not by the job: the caller (`portal search check`) reports it repaired
    return drift


def warm_up() -> None:
    """Build the ranking blocks, the query-repair model and the completion list now, so the
    first search does not pay for them (gunicorn --preload: the workers inherit them)."""
    from sqlalchemy.exc import DBAPIError

    from portal.search import completion
    from portal.search.ranker import CORRECTORS, VIEWS
    from portal.search.tuning import CACHE as TUNING

    try:
        with unit_of_work():  # reads only; a failed one is rolled back
            tuning = TUNING.get(current_app.config["SQLALCHEMY_DATABASE_URI"])
            CORRECTORS.get(VIEWS.get(queue.current_store()), tuning.version, tuning.words)
            completion.suggester()
    except DBAPIError:  # an empty database (`flask db upgrade` imports wsgi.py first): warm later
        log.info("search warm-up skipped: the database has no schema yet")
