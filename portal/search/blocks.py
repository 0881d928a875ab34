"""Ranking blocks: the frozen term statistics of one Whoosh segment, built from its stored fields.

Whoosh segments never change once written (deletions are kept beside them), so a block is built
once per segment and cached by segment id; a write adds a small segment and costs a small block.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from portal.search import terms
from portal.search.fold import fold, runs

TITLE, BODY = 0, 1


@dataclass
class Block:
    n: int                          # documents in the segment, deleted ones included
    keys: np.ndarray                # int64, sorted distinct term keys
    indptr: np.ndarray              # int64, postings of keys[i] are [indptr[i], indptr[i+1])
    docs: np.ndarray                # int32 segment-local document numbers
    tf: np.ndarray                  # float32 (postings, 2): title and body term frequency
    lengths: np.ndarray             # float32 (n, 2): title and body length in terms
    cf: np.ndarray                  # float32 per key: occurrences in the segment (query repair)
    popularity: np.ndarray          # float32 per document
    doc_keys: list[str]             # "article:12"
    external_ids: list[str]
    kinds: list[str]
    categories: list[str]
    visibility: list[frozenset[str]]
    latin: Counter = field(default_factory=Counter)

    def lookup(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each query key: (found?, position in keys)."""
        pos = np.searchsorted(self.keys, query)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (self.keys[pos] == query) if len(self.keys) else np.zeros(len(query), dtype=bool)
        return found, pos


def build(reader) -> Block:
    """Key every stored document of one segment reader (deleted documents too; masked later)."""
    n = reader.doc_count_all()
    chunks_key, chunks_doc, chunks_field = [], [], []
    lengths = np.zeros((n, 2), dtype=np.float32)
    popularity = np.zeros(n, dtype=np.float32)
    doc_keys, external_ids, kinds, categories, visibility = [], [], [], [], []
    latin: Counter = Counter()
    for docnum in range(n):
        stored = reader.stored_fields(docnum)
        doc_keys.append(stored.get("key", ""))
        external_ids.append(stored.get("external_id") or "")
        kinds.append(stored.get("kind") or "")
        categories.append(stored.get("category") or "")
        visibility.append(frozenset((stored.get("visibility") or "").split()))
        popularity[docnum] = stored.get("popularity") or 0
        for fieldno, name in ((TITLE, "title"), (BODY, "body")):
            folded = fold(stored.get(name) or "")
            found = terms.keys(folded)
            lengths[docnum, fieldno] = len(found) - 2 * terms.cjk_runs(folded)  # no boundary pairs
            chunks_key.append(found)
            chunks_doc.append(np.full(len(found), docnum, dtype=np.int32))
            chunks_field.append(np.full(len(found), fieldno, dtype=np.int8))
            latin.update(run for kind, run, _ in runs(folded) if kind == "latin")
    key = np.concatenate(chunks_key) if chunks_key else np.zeros(0, dtype=np.int64)
    doc = np.concatenate(chunks_doc) if chunks_doc else np.zeros(0, dtype=np.int32)
    fld = np.concatenate(chunks_field) if chunks_field else np.zeros(0, dtype=np.int8)
    order = np.lexsort((doc, key))
    key, doc, fld = key[order], doc[order], fld[order]
    # one posting per (key, document); title and body counts side by side
    new_pair = np.ones(len(key), dtype=bool)
    new_pair[1:] = (key[1:] != key[:-1]) | (doc[1:] != doc[:-1])
    starts = np.flatnonzero(new_pair)
    pair_id = np.cumsum(new_pair) - 1
    tf = np.zeros((len(starts), 2), dtype=np.float32)
    np.add.at(tf, (pair_id, fld.astype(np.intp)), 1.0)
    post_key, post_doc = key[starts], doc[starts]
    new_key = np.ones(len(post_key), dtype=bool)
    new_key[1:] = post_key[1:] != post_key[:-1]
    key_starts = np.flatnonzero(new_key)
    keys = post_key[key_starts]
    indptr = np.append(key_starts, len(post_key)).astype(np.int64)
    cf = np.add.reduceat(tf.sum(axis=1), key_starts) if len(key_starts) else np.zeros(0, np.float32)
    return Block(n=n, keys=keys, indptr=indptr, docs=post_doc.astype(np.int32), tf=tf, lengths=lengths,
                 cf=cf.astype(np.float32), popularity=popularity, doc_keys=doc_keys,
                 external_ids=external_ids, kinds=kinds, categories=categories, visibility=visibility,
                 latin=latin)


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
