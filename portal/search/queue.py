"""The single-writer path: changes are queued in the database, one writer applies them to Whoosh."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import delete, func, select

from portal.core import jobs
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.search import documents
from portal.search.index import IndexStore, store_for
from portal.search.models import IndexJob

log = logging.getLogger(__name__)
BATCH = 1000
DRAIN_JOB = "search.drain"  # declared in portal.search.tasks; enqueued here by name


def current_store() -> IndexStore:
    return store_for(current_app.config["SEARCH_INDEX_DIR"])


def mark_dirty(keys: Iterable[str]) -> None:
    """Queue index refreshes inside the caller's unit of work (written with its change: an
    outbox); the caller then registers `after_commit(kick)`."""
    db.session.add_all(IndexJob(key=k) for k in keys)


_held = threading.local()


def kick() -> None:
    """An after-commit hook: ask the writer to apply queued changes (the drain job, run inline
    when JOBS_IMMEDIATE). Inside `batched()` the request waits for the end of the batch."""
    if getattr(_held, "depth", 0):
        _held.kicked = True
        return
    jobs.enqueue(DRAIN_JOB)


@contextmanager
def batched():
    """Many small commits (a bulk load): queue their index updates, apply them once at the end."""
    _held.depth = getattr(_held, "depth", 0) + 1
    try:
        yield
    finally:
        _held.depth -= 1
        if not _held.depth and getattr(_held, "kicked", False):
            _held.kicked = False
            kick()


def pending() -> int:
    return db.session.scalar(select(func.count(IndexJob.id))) or 0


def apply_keys(writer, keys: Iterable[str]) -> list[dict]:
    """Update or delete the index entries of `keys` from the database's current state;
    returns the documents written."""
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        prefix, ident = documents.split_key(key)
        by_prefix[prefix].append(ident)
    written: list[dict] = []
    # An index written by an older schema (rebuilt by `portal init`/`serve`) takes what it knows.
    known = set(writer.schema.names())
    for prefix, ids in by_prefix.items():
        docs = documents.source(prefix).load(ids)
        present = {d["key"] for d in docs}
        for doc in docs:
            writer.update_document(**{k: v for k, v in doc.items() if k in known})
            written.append(doc)
        for ident in ids:
            key = documents.make_key(prefix, ident)
            if key not in present:
                writer.delete_by_term("key", key)
    return written


def drain(progress: Callable[[int], None] | None = None) -> int:
    """Apply every queued change; returns how many jobs were consumed. The writer's job: each
    batch is one unit of work (its outbox rows go once the index has committed them; a crash in
    between only applies them twice)."""
    store = current_store()
    done = 0
    with store.writer_lock():
        ix = store.ensure()
        while True:
            with unit_of_work():
                rows = db.session.execute(select(IndexJob.id, IndexJob.key).order_by(IndexJob.id).limit(BATCH)).all()
                if not rows:
                    break
                writer = ix.writer(limitmb=128)
                try:
                    written = apply_keys(writer, {r.key for r in rows})
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
                db.session.execute(delete(IndexJob).where(IndexJob.id.in_([r.id for r in rows])))
            if current_app.config.get("SEARCH_SEMANTIC", True):
                from portal.search import semantic

                semantic.embed_documents(written)
            done += len(rows)
            if progress:
                progress(len(rows))
    return done
