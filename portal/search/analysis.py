"""Chinese word analysis (pure): jieba words for the title field and for highlighting.

`normalize` folds full-width forms, case and traditional characters without changing the length
of the text, so token offsets still point into the original for highlighting. `tokens` segments with jieba's search
mode (words plus their dictionary sub-words) and drops punctuation and function words.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from typing import NamedTuple

import jieba

from portal.search.fold import t2s_table

jieba.setLogLevel(logging.WARNING)

# Function words that carry no meaning for retrieval; kept short on purpose — BM25 weighs the rest.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 嘛 么 和 与 及 或 在 是 我 你 他 她 它 我们 把 被 着 过 也 都 就 还"
    " 又 很 这 那 这个 那个 一个 什么 请问 a an the of to in on for is are and or".split()
)
_WORD = re.compile(r"\w", re.UNICODE)
_init_lock = threading.Lock()
_ready = False


class Token(NamedTuple):
    text: str
    start: int
    end: int


def warm_up() -> None:
    """Load jieba's dictionary once per process (about 0.7 s), not inside a request."""
    global _ready
    if _ready:
        return
    with _init_lock:
        if not _ready:
            jieba.initialize()
            _ready = True


_WIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)}  # full-width ASCII variants
_WIDTH[0x3000] = 0x20  # ideographic space
_TABLE: dict[int, int | str] | None = None


def normalize(text: str) -> str:
    """Fold full-width forms, case and traditional characters, keeping every offset."""
    global _TABLE
    if _TABLE is None:
        _TABLE = {**t2s_table(), **_WIDTH}
    folded = text.translate(_TABLE).lower()
    return folded if len(folded) == len(text) else text.lower()


def tokens(text: str) -> Iterator[Token]:
    """Index/query tokens with offsets into `text`."""
    if not text:
        return
    warm_up()
    for word, start, end in jieba.tokenize(normalize(text), mode="search"):
        word = word.strip()
        if not word or not _WORD.search(word) or word in STOPWORDS:
            continue
        yield Token(word, start, end)


def terms(text: str) -> list[str]:
    """Distinct query terms in order of first appearance."""
    seen: dict[str, None] = {}
    for tok in tokens(text):
        seen.setdefault(tok.text, None)
    return list(seen)
