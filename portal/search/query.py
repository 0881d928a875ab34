"""Running a search, one way: fold once, repair once, score by words, then by meaning over the
words' pool, rank once with the access filter inside; facets and snippets of the page asked for.

    fold (fold.py) -> repair (correction.py, kept only if it earns its place) -> words
    (ranker.View.scores, BM25F) -> meaning (semantic_stage.compare) -> rank (ranker.View.rank:
    masks, fusion, facets, one page) -> hits (snippets.py)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from markupsafe import Markup

from portal.core.viewer import Viewer
from portal.search import analysis, documents, semantic_stage, snippets
from portal.search.access import visibility_tokens
from portal.search.correction import as_typed
from portal.search.fold import fold
from portal.search.queue import current_store
from portal.search.ranker import CORRECTORS, VIEWS, View
from portal.search.semantic import VECTORS, encode
from portal.search.semantic_stage import SEMANTIC, Meaning
from portal.search.terms import query_keys
from portal.search.tuning import CACHE as TUNING
from portal.search.tuning import EXPANSION_WEIGHT, expansions

SNIPPET_CHARS = 120
KINDS = ("faq", "manual", "case")  # case: a solved ticket shared as a past case


@dataclass
class Hit:
    key: str
    id: int
    kind: str
    category: str
    external_id: str | None
    title: str
    title_html: Markup
    snippet_html: Markup
    url: str
    score: float
    edition: str = ""  # a manual chapter's edition


@dataclass
class Results:
    query: str
    terms: list[str]
    total: int
    page: int
    pagelen: int
    corrected: str | None = None  # what was searched instead of the query, if anything
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    searched: str = ""  # the text searched: folded, and repaired when the repair was kept

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.pagelen))


@dataclass(frozen=True)
class Asked:
    """A query as typed, folded and normalised once for the whole search."""

    text: str
    folded: str  # width, case, traditional -> simplified: what is searched unless repaired

    @classmethod
    def of(cls, text: str) -> Asked:
        return cls(text=text, folded=fold(text).strip())


def search(
    text: str,
    viewer: Viewer,
    *,
    kind: str | None = None,
    category: str | None = None,
    page: int = 1,
    pagelen: int = 10,
    with_facets: bool = False,
    exclude: str | None = None,
    exact: bool = False,
    meaning: bool = True,
    edition: str | None = None,
) -> Results:
    """Search as the viewer may see; typos and pinyin are repaired unless `exact`; the sentence
    embedding joins the ranking unless `meaning` is off. Manual chapters of older editions are
    searched only when their `edition` is named, and then only that edition's chapters."""
    asked = Asked.of(text)
    result = Results(query=text, terms=[], total=0, page=page, pagelen=pagelen, searched=asked.folded)
    if not asked.folded:
        return result
    view = VIEWS.get(current_store())
    visible = visibility_tokens(viewer)
    tuning = TUNING.get(current_app.config["SQLALCHEMY_DATABASE_URI"])

    corrector = None if exact else CORRECTORS.get(view, tuning.version, tuning.words)
    repaired = corrector.repair(asked.folded, original=text).text if corrector else asked.folded
    searched, scores = asked.folded, word_scores(view, asked.folded, tuning.synonyms)
    if repaired != asked.folded:
        repaired_scores = word_scores(view, repaired, tuning.synonyms)
        if repair_earns_its_place(view, scores, repaired_scores, visible, edition):
            searched, scores = repaired, repaired_scores
    if searched != asked.folded:  # the words changed; folding width, case or script alone is not news
        result.corrected = as_typed(text, asked.folded, searched)
    result.searched = searched

    extra = 1 if exclude else 0
    ranked = view.rank(
        scores,
        visibility=visible,
        kind=kind,
        category=category,
        start=(page - 1) * pagelen,
        count=pagelen + extra,
        facets=with_facets,
        meaning=meaning_of(view, searched, scores) if meaning else None,
        edition=edition,
        config=SEMANTIC,
    )
    result.terms = analysis.terms(searched) or [searched]
    result.total = ranked.total
    result.facets = ranked.facets
    rows = []
    for docnum, score in ranked.hits:
        block, local = view.locate(docnum)
        if block.doc_keys[local] == exclude:
            result.total -= 1
            continue
        rows.append((block, local, score))
    result.hits = _hits(rows[:pagelen], result.terms)
    return result


def word_scores(view: View, searched: str, synonyms) -> np.ndarray:
    """BM25F per document for the folded text, curator synonyms added at EXPANSION_WEIGHT and the
    question particle's variant (particle_variants) at VARIANT_WEIGHT; what is added widens the
    matches, never narrows them (View.scores `own`)."""
    own_keys, counts = query_keys(searched)
    keys = own_keys
    more = expansions(searched, synonyms)
    if more:
        keys, counts = _add_keys(keys, counts, *query_keys(" ".join(more)), EXPANSION_WEIGHT)
    variants = particle_variants(searched)
    if variants:
        more_keys, more_counts = query_keys(" ".join(variants))
        new = ~np.isin(more_keys, keys)  # only the particle's own terms: 码吗 and 吗, not 码 again
        keys, counts = _add_keys(keys, counts, more_keys[new], more_counts[new], VARIANT_WEIGHT)
    return view.scores(keys, counts, own=np.isin(keys, own_keys))


def _add_keys(keys, counts, more_keys, more_counts, weight: float) -> tuple[np.ndarray, np.ndarray]:
    keys, inverse = np.unique(np.concatenate([keys, more_keys]), return_inverse=True)
    weights = np.concatenate([counts, more_counts * weight])
    return keys, np.bincount(inverse, weights=weights).astype(np.float32)


# A question ending in 么 or 嘛 is the same question ending in 吗.
QUESTION_END_RE = re.compile(r"([\u4e00-\u9fff])[么嘛](?![\u4e00-\u9fff])")
VARIANT_WEIGHT = 1.0


def particle_variants(searched: str) -> list[str]:
    """A question ending in 么 or 嘛 is also searched as ending in 吗 (能改么: 改吗 too): the
    knowledge base's questions mostly end in 吗, and the particle typed is no typo to repair (nor
    to report)."""
    return [m.group(1) + "吗" for m in QUESTION_END_RE.finditer(searched)]


def repair_earns_its_place(
    view: View, typed: np.ndarray, repaired: np.ndarray, visible: list[str], edition: str | None
) -> bool:
    """A repair is kept only when it matches the knowledge base at least as well as the text as
    typed (a valid word the KB lacks stays as typed)."""
    best = view.best(repaired, visible, edition)
    return best > 0 and best >= view.best(typed, visible, edition)


def meaning_of(view: View, searched: str, scores: np.ndarray) -> Meaning | None:
    """The meaning stage over the words' pool, or None when it is off or has nothing to go on."""
    if not current_app.config.get("SEARCH_SEMANTIC", True):
        return None
    vectors = VECTORS.aligned(current_app.config["SQLALCHEMY_DATABASE_URI"], view)
    if not vectors.any:  # nothing embedded yet: the meaning cannot tell documents apart
        return None
    return semantic_stage.compare(vectors, encode([searched])[0], scores, SEMANTIC)


def _hits(rows, terms: list[str]) -> list[Hit]:
    by_prefix: dict[str, list[int]] = {}
    for block, local, _ in rows:
        prefix, ident = documents.split_key(block.doc_keys[local])
        by_prefix.setdefault(prefix, []).append(ident)
    texts: dict[str, dict] = {}
    for prefix, ids in by_prefix.items():
        for ident, info in documents.source(prefix).snippets(ids).items():
            texts[documents.make_key(prefix, ident)] = info
    hits = []
    for block, local, score in rows:
        key = block.doc_keys[local]
        info = texts.get(key)
        if info is None:  # deleted since the index was written; the writer will catch up
            continue
        hits.append(
            Hit(
                key=key,
                id=documents.split_key(key)[1],
                kind=block.kinds[local],
                category=block.categories[local],
                external_id=block.external_ids[local] or None,
                title=info["title"],
                title_html=snippets.highlight(info["title"], terms, width=None),
                snippet_html=snippets.highlight(info["text"], terms, width=SNIPPET_CHARS),
                url=info["url"],
                score=round(score, 4),
                edition=block.editions[local] if len(block.editions) == block.n else "",
            )
        )
    return hits
