"""What can be indexed: each domain registers a source of index documents under a key prefix.

A document key is "<prefix>:<id>" (article:12). A source loads documents for ids from the
database, which is the truth; anything it does not return (deleted, unpublished) is removed
from the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    prefix: str
    load: Callable[[list[int]], list[dict]]  # ids -> index documents (only indexable ones)
    stamps: Callable[[], Iterator[tuple[int, str]]]  # every indexable id with its change stamp
    snippets: Callable[[list[int]], dict[int, dict]]  # ids -> {"text", "url", ...} for result rendering
    readable: Callable[[int, object], dict | None]  # (id, viewer) -> {"title", "url"} if allowed


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


def make_key(prefix: str, ident: int) -> str:
    return f"{prefix}:{ident}"


def split_key(key: str) -> tuple[str, int]:
    prefix, _, ident = key.partition(":")
    return prefix, int(ident)
