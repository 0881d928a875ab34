"""A search as the web page and the API show it, in one call: the results, the related questions
under them, and the id of the logged search (which its result clicks refer to)."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.core.viewer import Viewer
from portal.search import log as search_log
from portal.search import query
from portal.search import related as related_questions
from portal.search.query import Results
from portal.search.related import Related
from portal.web import limits

RELATED_UNDER_RESULTS = 4


@dataclass
class SearchPage:
    results: Results
    related: list[Related] = field(default_factory=list)
    search_id: int | None = None  # the search_log row, when the search was logged


def search_page(
    text: str,
    viewer: Viewer,
    *,
    token: str | None = None,
    source: str = "web",
    with_related: bool = True,
    **options,
) -> SearchPage:
    """Run the search (`query.search` with `options`), add the related questions of its top hit
    when `with_related`, and log it under the session's `token` when one is given and the
    client is within its allowance of new log rows (`limits.search_log_allowed`)."""
    results = query.search(text, viewer, **options)
    page = SearchPage(results)
    if with_related and results.hits:
        top = results.hits[0]
        # Under a result list the results are the similar texts already: what people clicked
        # together with the top hit and the curators' links are what adds something.
        page.related = related_questions.related(
            top.key,
            top.title,
            viewer,
            limit=RELATED_UNDER_RESULTS,
            skip={h.key for h in results.hits},
            similar=False,
        )
    if token is not None:
        # the top of the whole knowledge base as this viewer may read it: what popular searches
        # check is public before they offer the text to everyone
        unfiltered = results.page == 1 and not any(options.get(k) for k in ("kind", "category", "edition"))
        page.search_id = search_log.record_search(
            token,
            text,
            results.searched,
            bool(results.corrected),
            results.total,
            source=source,
            user_id=viewer.user_id,
            shown=[hit.key for hit in results.hits] if unfiltered else None,
            allow_new=limits.search_log_allowed,
        )
    return page
