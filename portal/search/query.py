"""Running a search: query repair, ranking with the access filter inside, facets, snippets."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from markupsafe import Markup

from portal.core.viewer import Viewer
from portal.search import analysis, documents, snippets
from portal.search.access import visibility_tokens
from portal.search.fold import fold
from portal.search.queue import current_store
from portal.search.ranker import CORRECTORS, VIEWS
from portal.search.semantic import VECTORS, encode
from portal.search.terms import query_keys
from portal.search.tuning import CACHE as TUNING
from portal.search.tuning import EXPANSION_WEIGHT, expansions

SNIPPET_CHARS = 120
SEMANTIC_FULL_SCAN = 50_000  # above this many documents the meaning only reorders word matches
SEMANTIC_RERANK = 4_000  # ... and only this many best word matches: a product over 100k rows
# of 512 floats reads 200 MB per query (10 ms), 4k scattered rows 1 ms
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

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.pagelen))


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
    result = Results(query=text, terms=[], total=0, page=page, pagelen=pagelen)
    folded = fold(text).strip()
    if not folded:
        return result
    view = VIEWS.get(current_store())
    visible = visibility_tokens(viewer)
    extra = 1 if exclude else 0

    tuning = TUNING.get(current_app.config["SQLALCHEMY_DATABASE_URI"])

    def lexical(searched: str):
        keys, counts = query_keys(searched)
        synonyms = expansions(searched, tuning.synonyms)
        if synonyms:
            more, more_counts = query_keys(" ".join(synonyms))
            keys, inverse = np.unique(np.concatenate([keys, more]), return_inverse=True)
            counts = np.bincount(inverse, weights=np.concatenate([counts, more_counts * EXPANSION_WEIGHT])).astype(
                np.float32
            )
        return view.scores(keys, counts)

    searched, scores = folded, lexical(folded)
    if not exact:
        correction = CORRECTORS.get(view, tuning.version).correct(text)
        if correction.text != folded:
            repaired = lexical(correction.text)
            # The repair must earn its place: it is kept only when it matches the knowledge base
            # at least as well as the text as typed (a valid word the KB lacks stays as typed).
            best = view.best(repaired, visible, edition)
            if best > 0 and best >= view.best(scores, visible, edition):
                searched, scores = correction.text, repaired
        if searched != " ".join(text.split()).lower():
            result.corrected = searched
    cosine = has_vector = None
    if meaning and current_app.config.get("SEARCH_SEMANTIC", True):
        vectors = VECTORS.matrix(current_app.config["SQLALCHEMY_DATABASE_URI"], view)
        has_vector = view._semantic_present
        if has_vector.any():  # nothing embedded yet: the meaning cannot tell documents apart
            qvec = encode([searched])[0]
            if view.size <= SEMANTIC_FULL_SCAN:
                cosine = vectors @ qvec
            else:  # large KBs: the meaning reorders the best word matches only
                candidates = np.flatnonzero(scores > 0)
                if len(candidates) > SEMANTIC_RERANK:
                    best = np.argpartition(scores[candidates], -SEMANTIC_RERANK)[-SEMANTIC_RERANK:]
                    candidates = np.sort(candidates[best])
                cosine = np.zeros(view.size, dtype=np.float32)
                cosine[candidates] = vectors[candidates] @ qvec
    ranked = view.rank(
        scores,
        visibility=visible,
        kind=kind,
        category=category,
        start=(page - 1) * pagelen,
        count=pagelen + extra,
        facets=with_facets,
        semantic=cosine,
        has_vector=has_vector,
        edition=edition,
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
