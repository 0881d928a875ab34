"""Ranking blocks: the frozen term statistics of one Whoosh segment, built from its stored fields.

Whoosh segments never change once written (deletions are kept beside them), so a block is built
once per segment and cached by segment id; a write adds a small segment and costs a small block.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from portal.search import terms
from portal.search.fold import fold

TITLE, BODY = 0, 1
_LATIN_WORD = re.compile(r"[a-z]+")


@dataclass
class Block:
    n: int  # documents in the segment, deleted ones included
    keys: np.ndarray  # int64, sorted distinct term keys
    indptr: np.ndarray  # int64, postings of keys[i] are [indptr[i], indptr[i+1])
    docs: np.ndarray  # int32 segment-local document numbers
    tf: np.ndarray  # float32 (postings, 2): title and body term frequency
    lengths: np.ndarray  # float32 (n, 2): title and body length in terms
    cf: np.ndarray  # float32 per key: occurrences in the segment (query repair)
    popularity: np.ndarray  # float32 per document
    doc_keys: list[str]  # "article:12"
    external_ids: list[str]
    kinds: list[str]
    categories: list[str]
    visibility: list[frozenset[str]]
    latin: Counter = field(default_factory=Counter)
    editions: list[str] = field(default_factory=list)  # manual edition label per document, or ""
    archived: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # older editions

    def lookup(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each query key: (found?, position in keys)."""
        pos = np.searchsorted(self.keys, query)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (self.keys[pos] == query) if len(self.keys) else np.zeros(len(query), dtype=bool)
        return found, pos


def build(reader) -> Block:
    """Key every stored document of one segment reader (deleted documents too; masked later)."""
    return from_stored(reader.stored_fields(docnum) for docnum in range(reader.doc_count_all()))


def from_stored(documents: Iterable[dict]) -> Block:
    """The block of documents given as their stored fields (key, title, body, kind, category,
    visibility, popularity, edition, archived, external_id), in document-number order.

    All titles and bodies are joined into one string (NUL between them never forms a term) and
    keyed in one numpy pass; positions map each key back to its document and field.
    """
    texts: list[str] = []
    doc_keys, external_ids, kinds, categories, visibility, editions = [], [], [], [], [], []
    popular: list[float] = []
    old: list[bool] = []
    for stored in documents:
        doc_keys.append(stored.get("key", ""))
        external_ids.append(stored.get("external_id") or "")
        kinds.append(stored.get("kind") or "")
        categories.append(stored.get("category") or "")
        visibility.append(frozenset((stored.get("visibility") or "").split()))
        popular.append(stored.get("popularity") or 0)
        editions.append(stored.get("edition") or "")
        old.append(bool(stored.get("archived")))
        texts.append(fold(stored.get("title") or ""))
        texts.append(fold(stored.get("body") or ""))
    n = len(doc_keys)
    popularity = np.array(popular, dtype=np.float32)
    archived = np.array(old, dtype=bool)
    joined = "\0".join(texts)
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]]).astype(np.int64)
    key, pos, edge = terms.keys_with_positions(joined)
    piece = np.searchsorted(starts, pos, side="right") - 1  # which text: 2 * doc + field
    doc, fld = (piece // 2).astype(np.int32), (piece % 2).astype(np.int8)
    lengths = np.bincount(piece[~edge], minlength=2 * n).astype(np.float32).reshape(n, 2)
    latin = Counter(run for run in _LATIN_WORD.findall(joined))
    order = np.lexsort((doc, key))
    key, doc, fld = key[order], doc[order], fld[order]
    # one posting per (key, document); title and body counts side by side
    new_pair = np.ones(len(key), dtype=bool)
    new_pair[1:] = (key[1:] != key[:-1]) | (doc[1:] != doc[:-1])
    pair_id = np.cumsum(new_pair) - 1
    n_pairs = int(pair_id[-1]) + 1 if len(pair_id) else 0
    tf = np.stack([np.bincount(pair_id[fld == f], minlength=n_pairs) for f in (TITLE, BODY)], axis=1).astype(np.float32)
    starts_pair = np.flatnonzero(new_pair)
    post_key, post_doc = key[starts_pair], doc[starts_pair]
    new_key = np.ones(len(post_key), dtype=bool)
    new_key[1:] = post_key[1:] != post_key[:-1]
    key_starts = np.flatnonzero(new_key)
    keys = post_key[key_starts]
    indptr = np.append(key_starts, len(post_key)).astype(np.int64)
    cf = np.add.reduceat(tf.sum(axis=1), key_starts) if len(key_starts) else np.zeros(0, np.float32)
    return Block(
        n=n,
        keys=keys,
        indptr=indptr,
        docs=post_doc.astype(np.int32),
        tf=tf,
        lengths=lengths,
        cf=cf.astype(np.float32),
        popularity=popularity,
        doc_keys=doc_keys,
        external_ids=external_ids,
        kinds=kinds,
        categories=categories,
        visibility=visibility,
        latin=latin,
        editions=editions,
        archived=archived,
    )


class BlockCache:
    """Blocks by (index generation, segment id), shared by the threads of a process."""

    def __init__(self):
        self._blocks: dict[tuple[str, str], Block] = {}
        self._lock = threading.Lock()

    def get(self, generation: str, reader) -> Block:
        ident = (generation, reader.segment().segment_id())
        block = self._blocks.get(ident)
        if block is None:
            with self._lock:
                block = self._blocks.get(ident)
                if block is None:
                    block = build(reader)
                    self._blocks[ident] = block
        return block

    def retain(self, live: set[tuple[str, str]]) -> None:
        """Forget blocks of segments that were merged away or swapped out."""
        with self._lock:
            for ident in list(self._blocks):
                if ident not in live:
                    del self._blocks[ident]


CACHE = BlockCache()
