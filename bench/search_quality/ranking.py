"""BM25F ranking over character unigrams + bigrams (and optionally jieba words).

Character n-grams need no segmentation, so a query and a document that jieba
would cut differently still share terms, and a one-character typo only costs
the one unigram and two bigrams it touches.

The index is in memory: one posting array (document numbers + precomputed
BM25F weights) per term, scored with ``numpy.bincount``.  It is rebuilt from
the index of record (Whoosh / the database) at start-up and kept in step on
writes; see the README for the speed at 5k and 100k documents.
"""
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .normalize import fold, runs


@dataclass
class Analyzer:
    """Turns folded text into index terms.

    Terms are typed by a one-letter prefix so each kind can be weighted:
    ``u`` character unigram, ``b`` character bigram, ``w`` jieba word,
    ``l`` latin or digit token.
    """

    unigrams: bool = True
    bigrams: bool = True
    words: bool = False

    def terms(self, text: str) -> list[str]:
        """Index terms of already folded text."""
        out: list[str] = []
        for kind, run, _ in runs(text):
            if kind != "cjk":
                out.append("l" + run)
                continue
            if self.unigrams:
                out.extend("u" + c for c in run)
            if self.bigrams:
                out.extend("b" + run[i:i + 2] for i in range(len(run) - 1))
            if self.words:
                out.extend("w" + w for w in _jieba_words(run) if len(w) > 1)
        return out


def _jieba_words(run: str) -> list[str]:
    import jieba

    return jieba.lcut(run, HMM=False)


@dataclass
class BM25FParams:
    """BM25F knobs: saturation, per-field weight and length normalisation, per-type weight."""

    k1: float = 1.2
    field_weights: dict = field(default_factory=lambda: {"title": 1.0, "body": 0.3})
    field_b: dict = field(default_factory=lambda: {"title": 0.75, "body": 0.75})
    type_weights: dict = field(default_factory=lambda: {"u": 1.0, "b": 1.0, "w": 1.0, "l": 1.0})


class BM25FIndex:
    """In-memory BM25F index over a fixed set of fields.

    Postings live in three flat numpy arrays (CSR layout: ``indptr`` per term
    id, then document numbers and weights), about 8 bytes per (term, document)
    pair, so 100,000 articles with 300-character bodies fit in a few hundred MB.
    """

    def __init__(self, analyzer: Analyzer | None = None, params: BM25FParams | None = None,
                 fields: tuple[str, ...] = ("title", "body")):
        self.analyzer = analyzer or Analyzer()
        self.params = params or BM25FParams()
        self.fields = fields
        self.ids: list[str] = []
        self.term_ids: dict[str, int] = {}
        self.indptr = np.zeros(1, dtype=np.int64)
        self.docs = np.zeros(0, dtype=np.int32)
        self.weights = np.zeros(0, dtype=np.float32)

    def build(self, docs: list[dict]) -> None:
        """Index ``docs`` (dicts with ``external_id`` and the field texts).

        One streaming pass collects (term, document, field, count) rows and the
        field lengths; BM25F normalisation and saturation are then applied to
        the whole arrays at once.
        """
        self.ids = [str(d["external_id"]) for d in docs]
        term_ids: dict[str, int] = {}
        tids, dids, fids, counts = array("i"), array("i"), array("b"), array("f")
        lengths = np.zeros((len(self.fields), len(docs)), dtype=np.float64)
        for n, d in enumerate(docs):
            for f, name in enumerate(self.fields):
                tf = Counter(self.analyzer.terms(fold(d.get(name) or "")))
                lengths[f, n] = sum(tf.values())
                for t, c in tf.items():
                    tids.append(term_ids.setdefault(t, len(term_ids)))
                    dids.append(n)
                    fids.append(f)
                    counts.append(c)
        self._freeze(term_ids, np.frombuffer(tids, dtype=np.int32), np.frombuffer(dids, dtype=np.int32),
                     np.frombuffer(fids, dtype=np.int8), np.frombuffer(counts, dtype=np.float32), lengths)

    def _freeze(self, term_ids: dict[str, int], tids: np.ndarray, dids: np.ndarray, fids: np.ndarray,
                counts: np.ndarray, lengths: np.ndarray) -> None:
        """BM25F: length-normalise per field, add fields up, saturate, weight by idf and type."""
        p = self.params
        n_docs = len(self.ids)
        avgdl = np.maximum(lengths.mean(axis=1, keepdims=True), 1e-9)
        b = np.array([[p.field_b[f]] for f in self.fields])
        fw = np.array([[p.field_weights[f]] for f in self.fields])
        scale = (fw / (1.0 - b + b * lengths / avgdl)).astype(np.float32)
        x = counts * scale[fids, dids]
        # merge the rows of one (term, document) pair coming from different fields
        key = tids.astype(np.int64) * max(1, n_docs) + dids
        order = np.argsort(key, kind="stable")
        key = key[order]
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        x = np.add.reduceat(x[order], starts) if len(starts) else x[:0]
        tid_u = (key[starts] // max(1, n_docs)).astype(np.int32)
        did_u = (key[starts] % max(1, n_docs)).astype(np.int32)
        df = np.bincount(tid_u, minlength=len(term_ids)).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        type_w = np.array([p.type_weights.get(t[0], 1.0) for t in term_ids], dtype=np.float64)
        term_w = (idf * type_w).astype(np.float32)
        k1 = np.float32(p.k1)
        self.term_ids = term_ids
        self.docs = did_u
        self.weights = (x / (x + k1) * (k1 + 1) * term_w[tid_u]).astype(np.float32)
        self.indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """Dense score vector over all documents for a bag of query terms."""
        docs, weights = [], []
        for t, c in Counter(query_terms).items():
            tid = self.term_ids.get(t)
            if tid is None:
                continue
            lo, hi = self.indptr[tid], self.indptr[tid + 1]
            docs.append(self.docs[lo:hi])
            w = self.weights[lo:hi]
            weights.append(w * np.float32(c) if c != 1 else w)
        if not docs:
            return np.zeros(len(self.ids), dtype=np.float64)
        return np.bincount(np.concatenate(docs), weights=np.concatenate(weights),
                           minlength=len(self.ids))

    def search_terms(self, query_terms: list[str], k: int) -> list[tuple[str, float]]:
        """Top ``k`` (external_id, score) for a bag of terms, ties broken by index order."""
        return top_k(self.scores(query_terms), k, self.ids)

    def search(self, text: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` for a query text (folded here)."""
        return self.search_terms(self.analyzer.terms(fold(text)), k)


def top_k(scores: np.ndarray, k: int, ids: list[str]) -> list[tuple[str, float]]:
    """The ``k`` best positive scores, highest first, ties in index order."""
    if k <= 0 or not len(scores):
        return []
    if len(scores) > 4 * k:
        part = np.argpartition(-scores, k)[:k]
        # widen to every document tied with the k-th score so ties stay stable
        kth = max(scores[part].min(), np.finfo(np.float64).tiny)
        part = np.flatnonzero(scores >= kth)
    else:
        part = np.flatnonzero(scores > 0)
    order = part[np.lexsort((part, -scores[part]))][:k]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]
