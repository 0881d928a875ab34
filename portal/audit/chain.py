"""The hash chain (pure): the digest of one row, and the check of a run of rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64
FIELDS = (
    "id",
    "at",
    "action",
    "actor_id",
    "actor_name",
    "subject_id",
    "subject_name",
    "target",
    "ip",
    "before",
    "after",
    "detail",
    "prev_hash",
)


def canonical(value) -> str:
    """The stored form of before/after/detail: sorted keys, no spaces, "" for nothing."""
    if value is None or value == {}:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(row: Mapping) -> str:
    """sha256 over the row's fields (and so over the previous row's hash)."""
    values = {k: row[k] for k in FIELDS}
    if isinstance(values["at"], datetime):
        values["at"] = values["at"].isoformat(timespec="microseconds")
    return hashlib.sha256(canonical(values).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    id: int
    reason: str  # "edited" (the row's hash is wrong) or "missing" (its predecessor is not the row before)


def first_break(rows: Iterable[Mapping], *, prev_hash: str = GENESIS) -> Break | None:
    """Walk rows in id order: each must name the previous row's hash and carry its own digest."""
    for row in rows:
        if row["prev_hash"] != prev_hash:
            return Break(row["id"], "missing")
        if digest(row) != row["hash"]:
            return Break(row["id"], "edited")
        prev_hash = row["hash"]
    return None
