"""Eval adapter (``index`` / ``search``) combining folding, query repair and BM25F ranking.

    PYTHONPATH=bench python ../shared/eval/run_eval.py --data ../shared/eval/dev \
        --adapter search_quality.adapter:FaqSearchAdapter
"""
from __future__ import annotations

import time

from .correction import Correction, QueryCorrector
from .normalize import fold
from .ranking import Analyzer, BM25FIndex, BM25FParams
from .vocabulary import Vocabulary


class FaqSearch:
    """The search pipeline: a KB vocabulary, a query corrector and a BM25F index."""

    def __init__(self, analyzer: Analyzer | None = None, params: BM25FParams | None = None,
                 correct_typos: bool = True, convert_pinyin: bool = True,
                 vocab_kw: dict | None = None, corrector_kw: dict | None = None):
        self.analyzer = analyzer or Analyzer()
        self.params = params or BM25FParams()
        self.correct_typos = correct_typos
        self.convert_pinyin = convert_pinyin
        self.vocab_kw = vocab_kw or {}
        self.corrector_kw = corrector_kw or {}
        self.index_: BM25FIndex | None = None
        self.corrector: QueryCorrector | None = None
        self.timings: dict[str, float] = {}

    def build(self, articles: list[dict]) -> None:
        """Index the articles and learn the KB vocabulary from their titles and bodies."""
        t0 = time.perf_counter()
        self.index_ = BM25FIndex(self.analyzer, self.params)
        self.index_.build(articles)
        t1 = time.perf_counter()
        vocab = Vocabulary(**self.vocab_kw)
        for a in articles:
            vocab.add_text(a.get("title") or "")
            vocab.add_text(a.get("body") or "")
        vocab.finalize()
        self.timings = {"index": t1 - t0, "vocabulary": time.perf_counter() - t1}
        self.corrector = QueryCorrector(vocab, typos=self.correct_typos,
                                        pinyin=self.convert_pinyin, **self.corrector_kw)

    def repair(self, query: str) -> Correction:
        """The query as it will be searched (``.changed`` → show "searched for …")."""
        if not (self.correct_typos or self.convert_pinyin):
            return Correction(query, fold(query))
        return self.corrector.correct(query)

    def search(self, query: str, k: int = 10) -> tuple[Correction, list[tuple[str, float]]]:
        """Repair the query, then rank; returns the repair and (external_id, score) pairs."""
        fixed = self.repair(query)
        return fixed, self.index_.search_terms(self.analyzer.terms(fixed.text), k)


class FaqSearchAdapter:
    """``run_eval.py`` adapter around :class:`FaqSearch` with the recommended settings."""

    name = "charbigram-bm25f+correction+pinyin"

    def __init__(self, **kw):
        self.engine = FaqSearch(**kw)
        self.last: Correction | None = None

    def index(self, articles: list[dict]) -> None:
        self.engine.build(articles)

    def search(self, query: str, k: int) -> list[str]:
        self.last, hits = self.engine.search(query, k)
        return [doc_id for doc_id, _ in hits]
