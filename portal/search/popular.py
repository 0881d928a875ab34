"""Which past searches completion offers everyone as popular (pure): logged searches in, texts out.

A search counts towards a text only when
- it was typed into the portal's own search box by someone signed in there (`searcher` is set,
  `source` is web): the API's robots and anonymous visitors cannot put words into everyone's
  completion, however often they call;
- it was searched as typed (not repaired): what is offered is a text people typed, never a
  repair nobody typed;
- the first results it showed are all documents everyone may read (`public`): an internal
  article's title, which brings up that article, is never offered to visitors.
A text is offered once `rule.min_users` distinct people searched it that way; it is offered in
the spelling they typed most (case and spaces as typed), weighted by how many they were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from portal.search.fold import fold


@dataclass(frozen=True)
class Rule:
    min_users: int = 3  # distinct signed-in people
    shown: int = 3  # how many of the first results are recorded and must be public

    def __post_init__(self) -> None:
        if self.min_users < 2 or self.shown < 1:
            raise ValueError("popular searches need at least 2 distinct people and 1 result shown")


@dataclass(frozen=True)
class Logged:
    """One search-log row as the rule reads it."""

    query: str  # as searched: folded, repaired when the repair was kept
    typed: str
    corrected: bool
    source: str  # web | api
    searcher: str | None  # a mark per (person, query); None when nobody signed in on the web
    shown: tuple[str, ...]  # keys of the first results shown


@dataclass(frozen=True)
class Popular:
    text: str
    users: int


def counts(search: Logged, public: Callable[[str], bool]) -> bool:
    """Whether this one search is a vote for its text."""
    return (
        search.source == "web"
        and bool(search.searcher)
        and not search.corrected
        and _spaced(fold(search.typed)) == _spaced(search.query)  # as typed, only folded
        and bool(search.shown)
        and all(public(key) for key in search.shown)
    )


def popular(searches: Iterable[Logged], public: Callable[[str], bool], rule: Rule, limit: int = 2_000) -> list[Popular]:
    """The texts enough distinct people searched as the rule counts, most people first."""
    people: dict[str, set[str]] = {}
    spellings: dict[str, Counter[str]] = {}
    for search in searches:
        if not counts(search, public):
            continue
        assert search.searcher is not None
        people.setdefault(search.query, set()).add(search.searcher)
        spellings.setdefault(search.query, Counter())[_spaced(search.typed)] += 1
    found = [
        Popular(min(spellings[q].items(), key=lambda kv: (-kv[1], kv[0]))[0], len(who))
        for q, who in people.items()
        if len(who) >= rule.min_users
    ]
    found.sort(key=lambda p: (-p.users, p.text))
    return found[:limit]


def _spaced(text: str) -> str:
    return " ".join(text.split())
