"""Character language model of the knowledge base, backed off to jieba's dictionary.

The query-side repairs (typo correction, pinyin → Chinese) need to know which
characters go together.  The knowledge base itself is the best judge of its own
vocabulary (花呗, 借呗, 报销单 …); jieba's general dictionary fills in ordinary
words the KB has not used yet.  Counts are kept per character bigram inside
CJK runs, with ``<`` and ``>`` marking the start and end of a run.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache

from portal.search.fold import fold, runs

BOS, EOS = "<", ">"


def jieba_freq() -> dict[str, int]:
    """jieba's prefix dictionary: word → frequency, every word prefix → 0 (dict.txt, MIT).

    The portal initialises jieba at start-up anyway, so this costs nothing extra.
    """
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt.FREQ


@lru_cache(maxsize=4)
def general_counts(min_freq: int = 1, log_weight: bool = False) -> tuple[Counter, Counter]:
    """Character unigram and bigram counts over the words of jieba's dictionary.

    Each word of frequency ≥ ``min_freq`` adds one count per pair it contains
    (``log_weight``: log(1 + frequency) instead of one) — a word list says
    which pairs form words more than how often people type them.
    """
    uni: Counter = Counter()
    bi: Counter = Counter()
    for w, f in jieba_freq().items():
        if f < max(1, min_freq) or len(w) < 2:
            continue
        x = math.log1p(f) if log_weight else 1
        for i, c in enumerate(w):
            uni[c] += x
            if i:
                bi[w[i - 1 : i + 1]] += x
    return uni, bi


class Vocabulary:
    """Interpolated character-bigram model: KB counts plus ``general_weight`` × jieba counts.

    ``logp(a, b)`` is log P(b | a) with Dirichlet smoothing towards the unigram
    distribution, so unseen pairs are possible but cost a lot.
    """

    def __init__(
        self,
        general_weight: float = 0.3,
        mu: float = 20.0,
        general_min_freq: int = 20,
        general_log_weight: bool = False,
        word_min_freq: int = 20,
    ):
        self.general_weight = general_weight
        self.mu = mu
        self.general_min_freq = general_min_freq
        self.general_log_weight = general_log_weight
        self.word_min_freq = word_min_freq
        self.kb_uni: Counter = Counter()
        self.kb_bi: Counter = Counter()
        self.kb_latin: Counter = Counter()
        self.kb_docs = 0
        self._finalized = False

    # ------------------------------------------------------------------ build
    @classmethod
    def from_counts(cls, uni: dict, bi: dict, latin: Counter, docs: int, **kw) -> Vocabulary:
        """A finalized vocabulary from counts the index already holds (see ranker.View)."""
        vocab = cls(**kw)
        vocab.kb_uni = Counter(uni)
        vocab.kb_bi = Counter(bi)
        vocab.kb_latin = Counter(latin)
        vocab.kb_docs = docs
        return vocab.finalize()

    def add_text(self, text: str) -> None:
        """Count the characters and bigrams of one (unfolded) text."""
        self.kb_docs += 1
        for kind, run, _ in runs(fold(text)):
            if kind == "latin":
                self.kb_latin[run] += 1
            if kind != "cjk":
                continue
            padded = BOS + run + EOS
            self.kb_uni.update(run)
            self.kb_bi.update(padded[i : i + 2] for i in range(len(padded) - 1))
        self._finalized = False

    def finalize(self) -> Vocabulary:
        """Merge KB and general counts and build the successor/predecessor maps."""
        g_uni, g_bi = general_counts(self.general_min_freq, self.general_log_weight)
        w = self.general_weight
        uni: dict[str, float] = defaultdict(float)
        bi: dict[str, float] = defaultdict(float)
        for c, n in g_uni.items():
            uni[c] += w * n
        for c, n in self.kb_uni.items():
            uni[c] += n
        for p, n in g_bi.items():
            bi[p] += w * n
        for p, n in self.kb_bi.items():
            bi[p] += n
        left: dict[str, float] = defaultdict(float)
        succ: dict[str, set] = defaultdict(set)
        pred: dict[str, set] = defaultdict(set)
        for p, n in bi.items():
            left[p[0]] += n
            succ[p[0]].add(p[1])
            pred[p[1]].add(p[0])
        self.uni, self.bi, self.left, self.succ, self.pred = uni, bi, left, succ, pred
        self.total = sum(uni.values())
        self.n_types = len(uni)
        self._finalized = True
        return self

    # ------------------------------------------------------------------ query
    def p_uni(self, c: str) -> float:
        """Smoothed unigram probability (boundaries count as ordinary symbols)."""
        return (self.uni.get(c, 0.0) + 0.5) / (self.total + 0.5 * (self.n_types + 1))

    def logp(self, a: str, b: str) -> float:
        """log P(b | a)."""
        num = self.bi.get(a + b, 0.0) + self.mu * self.p_uni(b)
        return math.log(num / (self.left.get(a, 0.0) + self.mu))

    def is_word(self, s: str) -> bool:
        """A jieba dictionary word, or a pair of characters the KB uses at least twice."""
        if jieba_freq().get(s, 0) >= max(1, self.word_min_freq):
            return True
        return len(s) == 2 and self.kb_bi.get(s, 0) >= 2

    def is_prefix(self, s: str) -> bool:
        """True if some jieba dictionary word starts with ``s``."""
        return s in jieba_freq()

    def known(self, c: str) -> bool:
        """True if the character occurs in the KB or in a dictionary word."""
        return c in self.uni

    def kb_count(self, c: str) -> int:
        """How often the character occurs in the knowledge base."""
        return self.kb_uni.get(c, 0)

    def score_span(self, left: str, text: str) -> float:
        """log-probability of ``text`` following the character ``left`` (no end marker)."""
        total, prev = 0.0, left
        for c in text:
            total += self.logp(prev, c)
            prev = c
        return total

    def score(self, text: str) -> float:
        """log-probability of one CJK run, boundaries included."""
        padded = BOS + text + EOS
        return sum(self.logp(padded[i], padded[i + 1]) for i in range(len(padded) - 1))
