"""What can be indexed: each domain registers a source of index documents under a key prefix.

A document key is "<prefix>:<id>" (article:12). A source loads documents for ids from the
database, which is the truth; anything it does not return (deleted, unpublished) is removed
from the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Title:
    """A title offered while typing (completion)."""

    text: str
    popularity: float
    public: bool  # offered to visitors who have not signed in
    url: str


@dataclass(frozen=True)
class Source:
    prefix: str
    load: Callable[[list[int]], list[dict]]  # ids -> index documents (only indexable ones)
    stamps: Callable[[], Iterator[tuple[int, str]]]  # every indexable id with its change stamp
    snippets: Callable[[list[int]], dict[int, dict]]  # ids -> {"text", "url", ...} for result rendering
    readable: Callable[[int, object], dict | None]  # (id, viewer) -> {"title", "url"} if allowed
    # Optional seams. titles(limit): the most popular titles first, at most `limit`, for completion.
    titles: Callable[[int], Iterable[Title]] | None = None
    # keys_for_words(words): ids of documents whose indexed title contains one of `words`; a
    # curator's new domain word changes how those titles are segmented, so they are re-indexed.
    keys_for_words: Callable[[set[str]], Iterable[int]] | None = None


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    _sources[source.prefix] = source


def sources() -> Iterable[Source]:
    return _sources.values()


def source(prefix: str) -> Source:
    return _sources[prefix]


_home: list[Callable[[bool], dict]] = []


def register_home(provider: Callable[[bool], dict]) -> None:
    """A domain that shows something on the empty search page (the KB's categories and most
    read articles): provider(authenticated) -> template context."""
    if provider not in _home:
        _home.append(provider)


def home_overview(authenticated: bool) -> dict:
    context: dict = {}
    for provider in _home:
        context.update(provider(authenticated))
    return context


def titles(limit: int) -> list[Title]:
    """The most popular titles of every source that offers them, at most `limit`."""
    found: list[Title] = []
    for src in _sources.values():
        if src.titles is not None:
            found.extend(src.titles(limit))
    found.sort(key=lambda t: t.popularity, reverse=True)  # stable: a source's own order is kept on ties
    return found[:limit]


def keys_for_words(words: set[str]) -> list[str]:
    """Keys of the documents whose titles hold one of `words` (to re-index them)."""
    if not words:
        return []
    return [
        make_key(src.prefix, ident)
        for src in _sources.values()
        if src.keys_for_words is not None
        for ident in src.keys_for_words(words)
    ]


def make_key(prefix: str, ident: int) -> str:
    return f"{prefix}:{ident}"


def split_key(key: str) -> tuple[str, int]:
    prefix, _, ident = key.partition(":")
    return prefix, int(ident)
