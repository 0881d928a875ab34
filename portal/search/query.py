"""Running a search: query building, access filter, facets, pagination and highlighted snippets."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup
from whoosh import scoring, sorting
from whoosh.query import And, Not, Or, Term

from portal.search import analysis, documents, snippets
from portal.search.access import Viewer, visibility_tokens
from portal.search.queue import current_store

MAX_TERMS = 32
SNIPPET_CHARS = 120
KINDS = ("faq", "manual")


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


@dataclass
class Results:
    query: str
    terms: list[str]
    total: int
    page: int
    pagelen: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.pagelen))


class PopularityBM25F(scoring.BM25F):
    """BM25F, nudged by how often an article is read and found helpful."""

    use_final = True

    def final(self, searcher, docnum, score):
        column = getattr(searcher, "_portal_popularity", None)
        if column is None:
            column = searcher.reader().column_reader("popularity")
            searcher._portal_popularity = column
        return score * (1.0 + 0.05 * math.log1p(column[docnum] or 0))


def build_query(terms: list[str]):
    return Or([Or([Term("title", t), Term("body", t)]) for t in terms])


def access_filter(viewer: Viewer, kind: str | None, category: str | None, exclude: str | None):
    parts = [Or([Term("visibility", v) for v in visibility_tokens(viewer)])]
    if kind:
        parts.append(Term("kind", kind))
    if category:
        parts.append(Term("category", category))
    if exclude:
        parts.append(Not(Term("key", exclude)))
    return And(parts) if len(parts) > 1 else parts[0]


def search(text: str, viewer: Viewer, *, kind: str | None = None, category: str | None = None,
           page: int = 1, pagelen: int = 10, with_facets: bool = False,
           exclude: str | None = None) -> Results:
    terms = analysis.terms(text)[:MAX_TERMS]
    result = Results(query=text, terms=terms, total=0, page=page, pagelen=pagelen)
    if not terms:
        return result
    searcher = current_store().searcher()
    searcher.weighting = PopularityBM25F()
    # limit=None collects every match: Whoosh's top-N collector only estimates the total when a
    # filter is set, and "total" must be exact. Scoring dominates the cost either way.
    kwargs = {"filter": access_filter(viewer, kind, category, exclude), "terms": False, "limit": None}
    if with_facets:
        kwargs["groupedby"] = {
            "kind": sorting.FieldFacet("kind", maptype=sorting.Count),
            "category": sorting.FieldFacet("category", maptype=sorting.Count),
        }
    found = searcher.search(build_query(terms), **kwargs)
    result.total = len(found)
    if with_facets:
        result.facets = {name: dict(sorted(found.groups(name).items(), key=lambda kv: (-kv[1], kv[0])))
                         for name in ("kind", "category")}
    start = (page - 1) * pagelen
    stored = [(found[i].fields(), found[i].score) for i in range(start, min(start + pagelen, len(found)))]
    result.hits = _hits(stored, terms)
    return result


def _hits(stored: list[tuple[dict, float]], terms: list[str]) -> list[Hit]:
    by_prefix: dict[str, list[int]] = {}
    for fields, _score in stored:
        prefix, ident = documents.split_key(fields["key"])
        by_prefix.setdefault(prefix, []).append(ident)
    texts: dict[str, dict] = {}
    for prefix, ids in by_prefix.items():
        for ident, info in documents.source(prefix).snippets(ids).items():
            texts[documents.make_key(prefix, ident)] = info
    hits = []
    for fields, score in stored:
        info = texts.get(fields["key"])
        if info is None:  # deleted since the index was written; the writer will catch up
            continue
        hits.append(Hit(
            key=fields["key"], id=documents.split_key(fields["key"])[1], kind=fields["kind"],
            category=fields.get("category") or "", external_id=fields.get("external_id") or None,
            title=info["title"], title_html=snippets.highlight(info["title"], terms, width=None),
            snippet_html=snippets.highlight(info["text"], terms, width=SNIPPET_CHARS), url=info["url"], score=round(score, 4)))
    return hits
