"""Curator tuning of the search: synonym sets and domain words, read back without a restart."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import jieba
from sqlalchemy import delete, func, select

from portal.core.uow import after_commit, unit_of_work
from portal.extensions import db
from portal.search import completion, documents, queue
from portal.search.fold import fold
from portal.search.models import DomainWord, SynonymSet

CHECK_EVERY = 2.0  # seconds between checks for a curator's change, per process
EXPANSION_WEIGHT = 0.5  # a synonym counts half as much as the word the user typed
DOMAIN_WORD_FREQ = 2000  # jieba frequency for domain words: segment them as one word


@dataclass(frozen=True)
class Tuning:
    version: tuple = ()
    synonyms: tuple[frozenset[str], ...] = ()
    words: frozenset[str] = field(default_factory=frozenset)


def parse_synonyms(text: str) -> list[list[str]]:
    """One set per line, words separated by commas, 、 or spaces; sets of one word are dropped."""
    sets = []
    for line in text.splitlines():
        words = [fold(w).strip() for w in line.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")]
        words = list(dict.fromkeys(w for w in words if w))
        if len(words) > 1:
            sets.append(words)
    return sets


def parse_words(text: str) -> list[str]:
    return list(dict.fromkeys(w for w in (fold(line).strip() for line in text.splitlines()) if 1 < len(w) <= 40))


def expansions(text: str, synonyms) -> list[str]:
    """The other words of every synonym set that has a word in `text` (pure)."""
    out = []
    for group in synonyms:
        if any(w in text for w in group):
            out.extend(w for w in sorted(group) if w not in text)
    return out


class TuningCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._tuning: dict[str, Tuning] = {}
        self._checked: dict[str, float] = {}

    def invalidate(self) -> None:
        """This process saw a change: re-read at the next search (others within CHECK_EVERY)."""
        self._checked.clear()

    def get(self, key: str) -> Tuning:
        now = time.monotonic()
        current = self._tuning.get(key)
        if current is not None and now - self._checked.get(key, 0) < CHECK_EVERY:
            return current
        with self._lock:
            version = _version()
            current = self._tuning.get(key)
            if current is None or current.version != version:
                current = _load(version)
                for word in current.words:
                    jieba.add_word(word, freq=DOMAIN_WORD_FREQ)
                self._tuning[key] = current
            self._checked[key] = now
        return current


def _version() -> tuple:
    synonyms = db.session.execute(select(func.count(SynonymSet.id), func.max(SynonymSet.updated_at))).one()
    words = db.session.execute(select(func.count(DomainWord.id), func.max(DomainWord.updated_at))).one()
    return (*synonyms, *words)


def _load(version: tuple) -> Tuning:
    synonyms = tuple(frozenset(s.words.split(",")) for s in db.session.scalars(select(SynonymSet)))
    words = frozenset(db.session.scalars(select(DomainWord.word)))
    return Tuning(version=version, synonyms=synonyms, words=words)


CACHE = TuningCache()


def save(synonyms_text: str, words_text: str) -> tuple[int, int]:
    """Replace the synonym sets and domain words, in one unit of work; the documents whose titles
    hold a new or dropped word are re-indexed (their titles are segmented with jieba)."""
    sets, words = parse_synonyms(synonyms_text), parse_words(words_text)
    with unit_of_work():
        old_words = set(db.session.scalars(select(DomainWord.word)))
        db.session.execute(delete(SynonymSet))
        db.session.execute(delete(DomainWord))
        db.session.add_all(SynonymSet(words=",".join(s)) for s in sets)
        db.session.add_all(DomainWord(word=w) for w in words)
        changed = set(words) ^ old_words
        if changed:
            queue.mark_dirty(documents.keys_for_words(changed))
        after_commit(CACHE.invalidate)
        if changed:
            after_commit(queue.kick)
        after_commit(completion.invalidate)  # the next keystroke sees the new word starts
    return len(sets), len(words)


def as_text() -> tuple[str, str]:
    sets = [s.words.replace(",", ", ") for s in db.session.scalars(select(SynonymSet).order_by(SynonymSet.id))]
    words = list(db.session.scalars(select(DomainWord.word).order_by(DomainWord.word)))
    return "\n".join(sets), "\n".join(words)
