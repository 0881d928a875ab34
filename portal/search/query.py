"""Running a search: query building, access filter, facets, pagination and highlighted snippets."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from whoosh import highlight, scoring, sorting
from whoosh.query import And, Not, Or, Term

from portal.search import analysis, documents
from portal.search.access import Viewer, visibility_tokens
from portal.search.queue import current_store
from portal.search.whoosh_analysis import chinese_analyzer

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

    @property
    def plain_snippets(self):
        return [h.snippet_html.striptags() for h in self.hits]


class PopularityBM25F(scoring.BM25F):
    """BM25F, nudged by how often an article is read and found helpful."""

    use_final = True

    def final(self, searcher, docnum, score):
        column = getattr(searcher, "_portal_popularity", None)
        if column is None:
            column = searcher.reader().column_reader("popularity")
            searcher._portal_popularity = column
        return score * (1.0 + 0.05 * math.log1p(column[docnum] or 0))


COORDINATION = 0.9  # documents that contain more of the query's words rank higher


def build_query(terms: list[str]):
    per_term = [Or([Term("title", t), Term("body", t)]) for t in terms]
    return Or(per_term, scale=COORDINATION) if len(per_term) > 1 else per_term[0]


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
    kwargs = {"filter": access_filter(viewer, kind, category, exclude), "terms": False}
    if with_facets:
        kwargs["groupedby"] = {
            "kind": sorting.FieldFacet("kind", maptype=sorting.Count),
            "category": sorting.FieldFacet("category", maptype=sorting.Count),
        }
    page_obj = searcher.search_page(build_query(terms), page, pagelen=pagelen, **kwargs)
    result.total = page_obj.total
    if with_facets:
        result.facets = {name: dict(sorted(page_obj.results.groups(name).items(),
                                           key=lambda kv: (-kv[1], kv[0])))
                         for name in ("kind", "category")}
    stored = [(hit.fields(), hit.score) for hit in page_obj]
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
            title=info["title"], title_html=highlight_text(info["title"], terms, whole=True),
            snippet_html=highlight_text(info["text"], terms), url=info["url"], score=round(score, 4)))
    return hits


_analyzer = None


def highlight_text(text: str, terms: list[str], whole: bool = False) -> Markup:
    """Escape `text` and wrap the query terms in <mark>; a window around the best match."""
    global _analyzer
    if _analyzer is None:
        _analyzer = chinese_analyzer()
    if not text:
        return Markup("")
    fragmenter = (highlight.WholeFragmenter() if whole
                  else highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=40))
    formatter = highlight.HtmlFormatter(tagname="mark", classname="hl", termclass="")
    termset = frozenset(terms)
    marked = highlight.highlight(text, termset, _analyzer, fragmenter, formatter, top=2)
    if marked:
        return Markup(marked)
    if whole:
        return escape(text)
    short = text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")
    return escape(short)
