"""Scoring with numpy over the ranking blocks of a Whoosh searcher: BM25F, access masks, facets,
the fusion with the meaning stage's cosines.

A View is built once per searcher (that is, once per index change) and cached on it; scoring a
query touches only the postings of its terms, so it costs milliseconds where Whoosh's pure-Python
matchers cost tens to hundreds of them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np

from portal.search import terms
from portal.search.blocks import CACHE, Block
from portal.search.semantic_stage import SEMANTIC, Meaning, SemanticConfig

K1 = 1.2
B = 0.75
FIELD_WEIGHTS = np.array([1.0, 0.3], dtype=np.float32)  # title, body
POPULARITY = 0.05

PERSONAL = "user:"  # visibility tokens owned by one reader
T = TypeVar("T")


def fuse(
    lexical: np.ndarray,
    semantic: np.ndarray,
    matched: np.ndarray,
    has_vector: np.ndarray | None = None,
    config: SemanticConfig = SEMANTIC,
) -> np.ndarray:
    """Order for the matched documents: the union of the lexical and the semantic top
    `config.pool`, scored by a min-max-normalised mix (`config.lexical_weight` words,
    `config.weight` meaning), ranks first; the rest follow by words. A document not embedded yet
    (just saved) counts its words for its meaning too."""
    order = np.zeros(len(lexical), dtype=np.float64)
    lex, sem = lexical[matched], semantic[matched]
    pool = min(config.pool, len(matched))
    head = np.union1d(np.argpartition(-lex, pool - 1)[:pool], np.argpartition(-sem, pool - 1)[:pool])
    head = head[(lex[head] > 0) | (sem[head] >= config.floor)]

    def minmax(x):
        span = x.max() - x.min() if len(x) else 0.0
        return (x - x.min()) / span if span > 0 else np.zeros_like(x)

    tail = lex / (lex.max() + 1e-9) if lex.max() > 0 else sem * 0.5
    order[matched] = tail
    lex_part, sem_part = minmax(lex[head]), minmax(sem[head])
    if has_vector is not None:
        sem_part = np.where(has_vector[matched[head]], sem_part, lex_part)
    order[matched[head]] = 2.0 + config.lexical_weight * lex_part + config.weight * sem_part
    return order


def min_match(anchors: int) -> int:
    """How many of a query's anchor terms a document must contain: one for short queries,
    a fifth of them for long questions."""
    return max(1, -(-anchors // 5)) if anchors > 4 else 1


@dataclass
class Ranked:
    total: int
    hits: list[tuple[int, float]]  # (global docnum, score)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    best: float = 0.0  # the top score over all matches


class View:
    """The ranking state of one index: blocks side by side under global document numbers, the
    live (undeleted) documents, the length averages, popularity and the label codes of the
    masks. Built from a Whoosh searcher (`View.of`) or, in tests, from blocks (`View(parts)`)."""

    def __init__(
        self,
        parts: list[tuple[Block, int]],
        generation: str = "",
        deleted: Iterable[int] = (),
        signature: tuple = (),
    ):
        self.generation = generation
        self.parts = parts
        self.signature = signature
        self.offsets = np.array([off for _, off in self.parts], dtype=np.int64)
        self.size = sum(b.n for b, _ in self.parts)
        live = np.ones(self.size, dtype=bool)
        for docnum in deleted:
            live[docnum] = False
        self.live = live
        self.n_live = int(live.sum())
        lengths = (
            np.concatenate([b.lengths for b, _ in self.parts]) if self.parts else np.zeros((0, 2), dtype=np.float32)
        )
        self.avg = np.maximum(lengths[live].mean(axis=0) if self.n_live else np.ones(2), 1e-6).astype(np.float32)
        pop = np.concatenate([b.popularity for b, _ in self.parts]) if self.parts else np.zeros(0)
        self.boost = (1.0 + POPULARITY * np.log1p(pop)).astype(np.float64)
        self.kind_labels, self.kind_codes = self._codes("kinds")
        self.category_labels, self.category_codes = self._codes("categories")
        self.edition_labels, self.edition_codes = self._codes("editions")
        archived = np.concatenate([self._archived(b) for b, _ in self.parts]) if self.parts else np.zeros(0, dtype=bool)
        self.current = ~archived  # the default: chapters of older manual editions are left out
        self._visible: dict[str, np.ndarray] = {}
        self._owned: dict[str, list[int]] | None = None
        self._derived: dict[str, tuple[object, object]] = {}

    @classmethod
    def of(cls, searcher, generation: str) -> View:
        """The view of a Whoosh searcher's segments (their blocks cached by segment id)."""
        # An empty index has one EmptyReader and no segment.
        leaves = [(r, off) for r, off in searcher.reader().leaf_readers() if r.segment() is not None]
        parts = [(CACHE.get(generation, r), off) for r, off in leaves]
        CACHE.retain({(generation, r.segment().segment_id()) for r, _ in leaves})
        deleted = [off + docnum for r, off in leaves if r.has_deletions() for docnum in r.deleted_docs_set]
        signature = tuple((generation, r.segment().segment_id()) for r, _ in leaves)
        return cls(parts, generation, deleted, signature)

    def doc_keys(self) -> Iterator[str]:
        """Every document key ("article:12") in document-number order, deleted ones included."""
        for block, _ in self.parts:
            yield from block.doc_keys

    def derived(self, name: str, version: object, build: Callable[[View], T]) -> T:
        """Data another stage derives from this view and keeps while the view lives (the meaning
        stage's vectors aligned with the document numbers); built again when `version` changes."""
        hit = self._derived.get(name)
        if hit is None or hit[0] != version:
            hit = (version, build(self))
            self._derived[name] = hit
        return cast(T, hit[1])

    def _codes(self, attr: str) -> tuple[list[str], np.ndarray]:
        labels: dict[str, int] = {}
        codes = np.zeros(self.size, dtype=np.int32)
        pos = 0
        for block, _ in self.parts:
            for value in getattr(block, attr):
                codes[pos] = labels.setdefault(value, len(labels))
                pos += 1
        return list(labels), codes

    @staticmethod
    def _archived(block: Block) -> np.ndarray:
        return block.archived if len(block.archived) == block.n else np.zeros(block.n, dtype=bool)

    def editions(self, edition: str | None) -> np.ndarray:
        """Documents searched for `edition`: by default everything but chapters of older manual
        editions; with an edition label, that edition's chapters only."""
        if not edition:
            return self.current
        mask = self._label_mask(self.edition_labels, self.edition_codes, edition)
        return mask if isinstance(mask, np.ndarray) else np.zeros(self.size, dtype=bool)

    def visible(self, tokens: list[str]) -> np.ndarray:
        """Documents readable with any of `tokens`. Shared tokens (public, internal, staff …) are
        cached as masks; a personal token (user:12) adds the few documents it owns, so a new
        reader costs a copy, not a scan, and the cache does not grow with the number of users."""
        shared = sorted(t for t in tokens if not t.startswith(PERSONAL))
        key = " ".join(shared)
        mask = self._visible.get(key)
        if mask is None:
            wanted = set(shared)
            mask = np.fromiter(
                (bool(v & wanted) for b, _ in self.parts for v in b.visibility), dtype=bool, count=self.size
            )
            self._visible[key] = mask
        personal = [t for t in tokens if t.startswith(PERSONAL)]
        if personal:
            owned = self._personal()
            docs = [d for t in personal for d in owned.get(t, ())]
            if docs:
                mask = mask.copy()
                mask[docs] = True
        return mask

    def _personal(self) -> dict[str, list[int]]:
        if self._owned is None:
            owned: dict[str, list[int]] = {}
            pos = 0
            for block, _ in self.parts:
                for v in block.visibility:
                    for t in v:
                        if t.startswith(PERSONAL):
                            owned.setdefault(t, []).append(pos)
                    pos += 1
            self._owned = owned
        return self._owned

    def locate(self, docnum: int) -> tuple[Block, int]:
        i = int(np.searchsorted(self.offsets, docnum, side="right")) - 1
        block, off = self.parts[i]
        return block, docnum - off

    def scores(self, qkeys: np.ndarray, qtf: np.ndarray, own: np.ndarray | None = None) -> np.ndarray:
        """BM25F score per document; zero for documents that share too little with the query.

        Single characters match almost everything, so a document must also contain enough of
        the query's anchors (its bigrams and latin words, or its characters when it has none).
        `own` marks the terms of the text itself; the others (synonyms, variants) score and count
        as anchors a document contains, but do not raise how many it must contain: an expansion
        only ever widens what is found.
        """
        out = np.zeros(self.size, dtype=np.float64)
        if not len(qkeys) or not self.parts:
            return out
        own = np.ones(len(qkeys), dtype=bool) if own is None else own
        kinds = terms.kind(qkeys)
        anchor = kinds != terms.UNI
        if not (anchor & own).any():
            anchor = anchor | own  # a text of single characters: its characters anchor it
        need = min_match(int((anchor & own).sum()))
        covered = np.zeros(self.size, dtype=np.int32)
        looked = [block.lookup(qkeys) for block, _ in self.parts]
        df = np.zeros(len(qkeys), dtype=np.float64)
        for (block, _), (found, pos) in zip(self.parts, looked):
            df += np.where(found, block.indptr[pos + 1] - block.indptr[pos], 0)
        # Whoosh keeps an updated document's old copies until a merge, so df can exceed the live
        # count; unclamped, a small index's most edited document got negative weights for its own
        # words and dropped out of the results.
        df = np.minimum(df, self.n_live)
        idf = np.log(1.0 + (self.n_live - df + 0.5) / (df + 0.5))
        weight = (idf * qtf).astype(np.float32)
        for (block, off), (found, pos) in zip(self.parts, looked):
            hits = np.flatnonzero(found)
            if not len(hits):
                continue
            spans = [(block.indptr[pos[i]], block.indptr[pos[i] + 1]) for i in hits]
            docs = np.concatenate([block.docs[lo:hi] for lo, hi in spans])
            tf = np.concatenate([block.tf[lo:hi] for lo, hi in spans])
            w = np.repeat(weight[hits], [hi - lo for lo, hi in spans])
            norm = 1.0 - B + B * block.lengths[docs] / self.avg
            x = (tf / norm) @ FIELD_WEIGHTS
            out[off : off + block.n] += np.bincount(docs, weights=w * x * (K1 + 1) / (x + K1), minlength=block.n)
            is_anchor = np.repeat(anchor[hits], [hi - lo for lo, hi in spans])
            covered[off : off + block.n] += np.bincount(docs[is_anchor], minlength=block.n).astype(np.int32)
        out[covered < need] = 0.0
        return out * self.boost

    def best(self, scores: np.ndarray, visibility: list[str], edition: str | None = None) -> float:
        """The top lexical score among the documents the viewer may see."""
        allowed = scores[self.live & self.visible(visibility) & self.editions(edition)]
        return float(allowed.max()) if len(allowed) else 0.0

    def rank(
        self,
        scores: np.ndarray,
        *,
        visibility: list[str],
        kind: str | None,
        category: str | None,
        start: int,
        count: int,
        facets: bool,
        meaning: Meaning | None = None,
        edition: str | None = None,
        config: SemanticConfig = SEMANTIC,
    ) -> Ranked:
        """Rank the documents the viewer may see by their lexical `scores`; the `meaning` stage's
        cosines add paraphrases above `config.floor` and reorder the head of the list (see fuse).
        Visibility, edition, kind and category are masks: a masked document is never counted,
        faceted or returned. Chapters of older manual editions take part only when their
        `edition` is asked for."""
        allowed = self.live & self.visible(visibility) & self.editions(edition)
        lexical = (scores > 0) & allowed
        found = lexical
        order_by = scores
        if meaning is not None and lexical.any():
            found = lexical | ((meaning.cosine >= config.floor) & allowed)
        kind_mask = self._label_mask(self.kind_labels, self.kind_codes, kind)
        category_mask = self._label_mask(self.category_labels, self.category_codes, category)
        matched = np.flatnonzero(found & kind_mask & category_mask)
        best = scores[matched].max() if len(matched) else 0.0
        result = Ranked(total=len(matched), hits=[], best=float(best))
        if facets:
            result.facets = {
                "kind": self._facet(self.kind_labels, self.kind_codes, found & category_mask),
                "category": self._facet(self.category_labels, self.category_codes, found & kind_mask),
            }
        if meaning is not None and len(matched):
            order_by = fuse(scores, meaning.cosine, matched, meaning.has_vector, config)
        want = start + count
        if not len(matched) or start >= len(matched):
            return result
        top = matched
        if len(matched) > want:
            part = np.argpartition(-order_by[matched], want - 1)[:want]
            kth = order_by[matched[part]].min()
            top = matched[order_by[matched] >= kth]  # keep every tie, so the order is stable
        order = top[np.lexsort((top, -order_by[top]))][start:want]
        result.hits = [(int(d), float(order_by[d])) for d in order]
        return result

    @staticmethod
    def _label_mask(labels: list[str], codes: np.ndarray, value: str | None) -> np.ndarray | bool:
        if value is None:
            return True
        if value not in labels:
            return np.zeros(len(codes), dtype=bool)
        return codes == labels.index(value)

    @staticmethod
    def _facet(labels: list[str], codes: np.ndarray, mask) -> dict[str, int]:
        counts = np.bincount(codes[mask], minlength=len(labels))
        pairs = [(labels[i], int(c)) for i, c in enumerate(counts) if c]
        return dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))

    def term_counts(self) -> tuple[dict[str, float], dict[str, float], Counter]:
        """Character and bigram occurrences of the whole index, for the query-repair model."""
        from portal.search.vocabulary import BOS, EOS

        if not self.parts:
            return {}, {}, Counter()
        keys = np.concatenate([b.keys for b, _ in self.parts])
        cf = np.concatenate([b.cf for b, _ in self.parts])
        uniq, inverse = np.unique(keys, return_inverse=True)
        total = np.bincount(inverse, weights=cf)
        kinds = terms.kind(uniq)
        uni = {
            terms.unigram_char(int(k)): float(c) for k, c in zip(uniq[kinds == terms.UNI], total[kinds == terms.UNI])
        }
        bi = {
            terms.bigram_chars(int(k), BOS, EOS): float(c)
            for k, c in zip(uniq[kinds == terms.BI], total[kinds == terms.BI])
        }
        latin: Counter = Counter()
        for block, _ in self.parts:
            latin.update(block.latin)
        return uni, bi, latin


class ViewCache:
    """One View per index state per process, shared by all threads (werkzeug and gunicorn
    threads come and go; a thread-local view would be rebuilt for every request)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._views: dict[str, tuple[tuple, View]] = {}

    def get(self, store) -> View:
        state = store.state()
        hit = self._views.get(str(store.path))
        if hit is not None and hit[0] == state:
            return hit[1]
        with self._lock:
            hit = self._views.get(str(store.path))
            if hit is None or hit[0] != state:
                ix = store.ensure() if state[0] is None else store.open_generation(state[0])
                with ix.searcher() as searcher:
                    generation = state[0] or store.current_generation()
                    view = View.of(searcher, generation)
                hit = (store.state(), view) if state[0] is None else (state, view)
                self._views[str(store.path)] = hit
        return hit[1]


VIEWS = ViewCache()


class CorrectorCache:
    """One query corrector per process, rebuilt from the index when it changed (at most every
    REFRESH seconds on a big index: the model only needs the KB's vocabulary, not every edit)."""

    REFRESH = 10.0
    SMALL = 20_000

    def __init__(self):
        self._lock = threading.Lock()
        self._signature = None
        self._built = 0.0
        self._corrector = None

    def get(self, view: View, tuning_version: tuple = (), words: frozenset[str] = frozenset()):
        """The corrector of the view's vocabulary, with the curators' domain `words` (of that
        `tuning_version`) protected."""
        signature = (view.signature, tuning_version)
        stale = self._signature != signature
        if self._corrector is not None and (
            not stale or (view.n_live > self.SMALL and time.monotonic() - self._built < self.REFRESH)
        ):
            return self._corrector
        with self._lock:
            if self._corrector is None or self._signature != signature:
                from portal.search.correction import QueryCorrector
                from portal.search.vocabulary import Vocabulary

                uni, bi, latin = view.term_counts()
                vocab = Vocabulary.from_counts(uni, bi, latin, docs=view.n_live)
                self._corrector = QueryCorrector(vocab, protected=words)
                self._signature = signature
                self._built = time.monotonic()
        return self._corrector


CORRECTORS = CorrectorCache()
