"""Curator tuning of the search: synonym sets and domain words, read back without a restart.

What cannot work is refused with a message naming it, never dropped: a synonym line of one word,
a word too long to keep, and a new domain word or synonym set no document contains (a search for
it would find nothing, and a domain word is never repaired, so a misspelling saved as one would
stop its own repair: 登陆 saved as a domain word would find nothing where 登录 is written).
A synonym cannot make a search find less: expansions widen the matches (ranker.View.scores).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import jieba
import numpy as np
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from portal.core.errors import InvalidInput
from portal.core.uow import after_commit, unit_of_work
from portal.core.viewer import ANONYMOUS, Viewer
from portal.extensions import db
from portal.search import completion, documents, queue, terms
from portal.search.access import visibility_tokens
from portal.search.fold import fold
from portal.search.models import DomainWord, SynonymSet
from portal.search.ranker import VIEWS

CHECK_EVERY = 2.0  # seconds between checks for a curator's change, per process
EXPANSION_WEIGHT = 0.5  # a synonym counts half as much as the word the user typed
DOMAIN_WORD_FREQ = 2000  # jieba frequency for domain words: segment them as one word
WORD_MAX = 40  # DomainWord.word
SET_MAX = 500  # SynonymSet.words, comma-separated
SHOWN_PROBLEMS = 5  # refusals named in one message


@dataclass(frozen=True)
class Tuning:
    version: tuple = ()
    synonyms: tuple[frozenset[str], ...] = ()
    words: frozenset[str] = field(default_factory=frozenset)


def _set_words(line: str) -> list[str]:
    words = [fold(w).strip() for w in line.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")]
    return list(dict.fromkeys(w for w in words if w))


def parse_synonyms(text: str) -> list[list[str]]:
    """One set per line, words separated by commas, 、 or spaces. A line of one word or one too long
    to keep is refused (InvalidInput on `synonyms`, naming the line)."""
    sets, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        words = _set_words(line)
        if not words:
            continue
        if len(words) == 1:
            problems.append(
                _(
                    "Line %(line)d (%(text)s): a synonym set needs at least two words, separated by commas.",
                    line=number,
                    text=words[0],
                )
            )
        elif len(",".join(words)) > SET_MAX:
            problems.append(_("Line %(line)d is longer than %(n)d characters.", line=number, n=SET_MAX))
        else:
            sets.append(words)
    if problems:
        raise InvalidInput({"synonyms": " ".join(problems[:SHOWN_PROBLEMS])})
    return sets


def parse_words(text: str) -> list[str]:
    """One domain word per line, 2 to WORD_MAX characters; others are refused (InvalidInput on
    `words`)."""
    words = list(dict.fromkeys(w for w in (fold(line).strip() for line in text.splitlines()) if w))
    wrong = [w for w in words if not 1 < len(w) <= WORD_MAX]
    if wrong:
        raise InvalidInput(
            {
                "words": _(
                    "A domain word has 2 to %(n)d characters: %(words)s.",
                    n=WORD_MAX,
                    words="、".join(w[:WORD_MAX] for w in wrong[:SHOWN_PROBLEMS]),
                )
            }
        )
    return words


def found_by_words(view, text: str, visible: list[str]) -> bool:
    """Does some live document of the `visible` ones hold every term of `text` (folded): its
    bigrams and latin words, or its characters when it has none?"""
    keys, _counts = terms.query_keys(text)
    anchors = keys[terms.kind(keys) != terms.UNI]
    found = view.live & view.visible(visible)
    for key in anchors if len(anchors) else keys:
        found &= view.scores(np.array([key]), np.ones(1, dtype=np.float32)) > 0
    return bool(len(keys)) and bool(found.any())


def refusals(view, sets: list[list[str]], words: list[str], visible: list[str]) -> dict[str, str]:
    """Messages for the synonym sets and domain words no document of `view` the curator may read
    (`visible`) contains: searching them would find nothing."""
    errors = {}
    empty_sets = [group for group in sets if not any(found_by_words(view, w, visible) for w in group)]
    if empty_sets:
        errors["synonyms"] = _(
            "No article contains any word of %(sets)s, so a search for them would find nothing. "
            "Add a set when an article uses one of its words.",
            sets="; ".join(", ".join(group) for group in empty_sets[:SHOWN_PROBLEMS]),
        )
    empty_words = [w for w in words if not found_by_words(view, w, visible)]
    if empty_words:
        errors["words"] = _(
            "No article contains %(words)s: a search for it would find nothing, and a domain word is "
            "never repaired as a misspelling. Add it when an article uses it.",
            words="、".join(empty_words[:SHOWN_PROBLEMS]),
        )
    return errors


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


def save(synonyms_text: str, words_text: str, viewer: Viewer = ANONYMOUS) -> tuple[int, int]:
    """Replace the synonym sets and domain words, in one unit of work; the documents whose titles
    hold a new or dropped word are re-indexed (their titles are segmented with jieba). Refused
    (InvalidInput, nothing saved) when a line cannot work or a new set or word is in no document
    the curator (`viewer`) may read: the refusal tells nothing of documents they may not."""
    errors = {}
    sets = words = None
    try:
        sets = parse_synonyms(synonyms_text)
    except InvalidInput as err:
        errors.update(err.errors)
    try:
        words = parse_words(words_text)
    except InvalidInput as err:
        errors.update(err.errors)
    with unit_of_work():
        old_sets = {frozenset(s.split(",")) for s in db.session.scalars(select(SynonymSet.words))}
        old_words = set(db.session.scalars(select(DomainWord.word)))
        view = VIEWS.get(queue.current_store())
        new_sets = [group for group in sets or () if frozenset(group) not in old_sets]
        new_words = [w for w in words or () if w not in old_words]
        for name, message in refusals(view, new_sets, new_words, visibility_tokens(viewer)).items():
            errors.setdefault(name, message)
        if errors:
            raise InvalidInput(errors)
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
