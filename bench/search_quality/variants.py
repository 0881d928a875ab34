"""Named configurations measured in README.md (bench only; not part of the product code)."""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from .adapter import FaqSearchAdapter
from .normalize import fold
from .ranking import Analyzer


class CharBigramBM25(FaqSearchAdapter):
    """Baseline: BM25 over character unigrams + bigrams, no query repair."""
    name = "char uni+bigram BM25F"

    def __init__(self):
        super().__init__(correct_typos=False, convert_pinyin=False)


class PlusTypo(FaqSearchAdapter):
    """+ typo correction."""
    name = "+typo correction"

    def __init__(self):
        super().__init__(correct_typos=True, convert_pinyin=False)


class PlusPinyin(FaqSearchAdapter):
    """+ typo correction + pinyin conversion."""
    name = "+pinyin conversion"

    def __init__(self):
        super().__init__(correct_typos=True, convert_pinyin=True)


class NgramTokenizer(Tokenizer):
    """Whoosh tokenizer emitting the terms of :class:`~.ranking.Analyzer` (folded text)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kw):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        for i, term in enumerate(Analyzer().terms(fold(value))):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            yield t


class WhooshCharNgram:
    """The same analysis and query repair on Whoosh (BM25F, OR of n-gram terms), for comparison.

    Shows what it costs to rank inside Whoosh itself rather than in the
    in-memory posting arrays of ``ranking.py``.
    """
    name = "whoosh char uni+bigram BM25F + repair"

    def __init__(self):
        import tempfile

        from .adapter import FaqSearch
        self.tmp = tempfile.mkdtemp(prefix="sq-whoosh-")
        self.engine = FaqSearch()  # used for query repair only
        self.ix = None

    def index(self, articles):
        from whoosh import fields, index

        ana = NgramTokenizer()
        schema = fields.Schema(external_id=fields.ID(stored=True, unique=True),
                               title=fields.TEXT(analyzer=ana, field_boost=1.0),
                               body=fields.TEXT(analyzer=ana, field_boost=0.3))
        self.ix = index.create_in(self.tmp, schema)
        w = self.ix.writer(limitmb=256)
        for a in articles:
            w.add_document(external_id=a["external_id"], title=a.get("title") or "",
                           body=a.get("body") or "")
        w.commit()
        self.engine.build(articles)
        self.searcher = self.ix.searcher()

    def search(self, query, k):
        from whoosh import query as Q

        fixed = self.engine.repair(query)
        terms = self.engine.analyzer.terms(fixed.text)
        q = Q.Or([Q.Term(f, t) for f in ("title", "body") for t in dict.fromkeys(terms)])
        return [hit["external_id"] for hit in self.searcher.search(q, limit=k)]

    def close(self):
        import shutil
        self.searcher.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _typo_only(**typo_kw):
    return dict(corrector_kw={"typo_kw": typo_kw})


class NoFuzzy(FaqSearchAdapter):
    """Ablation: no near-pinyin (zh/z, n/l, an/ang …) typo candidates."""
    name = "final - near-pinyin candidates"

    def __init__(self):
        super().__init__(**_typo_only(use_fuzzy=False))


class NoShape(FaqSearchAdapter):
    """Ablation: no look-alike (same_stroke) typo candidates."""
    name = "final - shape candidates"

    def __init__(self):
        super().__init__(**_typo_only(use_shape=False))


class OneEdit(FaqSearchAdapter):
    """Ablation: at most one typo edit per CJK run."""
    name = "final, max 1 edit"

    def __init__(self):
        super().__init__(**_typo_only(max_edits=1))


class NoWordGuard(FaqSearchAdapter):
    """Ablation: no extra cost for breaking a dictionary word."""
    name = "final - in-word guard"

    def __init__(self):
        super().__init__(**_typo_only(in_word_cost=0.0))


class PinyinCharsOnly(FaqSearchAdapter):
    """Ablation: pinyin decoded character by character (no dictionary-word steps, all readings equal)."""
    name = "final - pinyin word steps/reading cost"

    def __init__(self):
        super().__init__(corrector_kw={"pinyin_kw": {"word_bonus": 0.0, "reading_cost": 0.0,
                                                     "max_word": 1}})


class UnigramWeight15(FaqSearchAdapter):
    """Ranking variant: character unigrams weighted 1.5 against bigrams."""
    name = "final, unigram weight 1.5"

    def __init__(self):
        from .ranking import BM25FParams
        super().__init__(params=BM25FParams(type_weights={"u": 1.5, "b": 1.0, "w": 1.0, "l": 1.0}))


class PlusJiebaWords(FaqSearchAdapter):
    """Ranking variant: jieba words as a third term type."""
    name = "final + jieba word terms"

    def __init__(self):
        super().__init__(analyzer=Analyzer(words=True))
