"""The meaning stage of a search (pure, numpy only): its thresholds in one place, which documents
it compares with the query, and what it hands the ranker.

The stage runs after the words: it scores the documents' sentence vectors against the query's,
over every document of a small knowledge base or over the best word matches of a large one, and
the ranker fuses those cosines with the word scores (`ranker.fuse`) under this same config.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SemanticConfig:
    """Every threshold of the meaning stage. Chosen before the dev set was measured (the weights)
    and calibrated on the OA demo knowledge base (the floor); see the README's search section."""

    weight: float = 0.7  # share of the meaning in the fused head; the words keep the rest (0.3)
    floor: float = 0.35  # cosine a document needs to be a result without sharing a word with the
    # query (on the OA demo KB unrelated questions stay below 0.2, paraphrases reach 0.4+)
    pool: int = 50  # the head of each list (by words, by meaning) that is fused
    full_scan: int = 50_000  # up to this many documents every vector is compared with the query;
    rerank: int = 4_000  # above it, only this many best word matches: a product over 100k rows of
    # 512 floats reads 200 MB per query (10 ms), 4k scattered rows 1 ms

    @property
    def lexical_weight(self) -> float:
        return 1.0 - self.weight


SEMANTIC = SemanticConfig()


@dataclass(frozen=True)
class Vectors:
    """Document vectors aligned with a ranking view's document numbers (zero rows where none yet)."""

    matrix: np.ndarray  # float32 (documents, dimensions), L2-normalised rows
    present: np.ndarray  # bool per document: it has a vector

    @property
    def any(self) -> bool:
        return bool(self.present.any())


@dataclass(frozen=True)
class Meaning:
    """What the meaning stage hands the ranker: a cosine per document (zero where not compared)
    and which documents have a vector at all (the others count their words for their meaning)."""

    cosine: np.ndarray
    has_vector: np.ndarray


def candidates(lexical: np.ndarray, config: SemanticConfig = SEMANTIC) -> np.ndarray | None:
    """Document numbers whose vectors are compared with the query: None (all of them) up to
    `full_scan` documents, else the `rerank` best word matches, in document order."""
    if len(lexical) <= config.full_scan:
        return None
    found = np.flatnonzero(lexical > 0)
    if len(found) > config.rerank:
        best = np.argpartition(lexical[found], -config.rerank)[-config.rerank :]
        found = np.sort(found[best])
    return found


def compare(
    vectors: Vectors, query_vector: np.ndarray, lexical: np.ndarray, config: SemanticConfig = SEMANTIC
) -> Meaning:
    """Cosine of each candidate document (see `candidates`) with the query's vector."""
    pool = candidates(lexical, config)
    if pool is None:
        cosine = vectors.matrix @ query_vector
    else:  # large KBs: the meaning reorders the best word matches only
        cosine = np.zeros(len(lexical), dtype=np.float32)
        cosine[pool] = vectors.matrix[pool] @ query_vector
    return Meaning(cosine=cosine, has_vector=vectors.present)
