"""Search-first certification (pure): a query about the quizzes offers the quiz page, and a
certificate's verification code typed into the search box offers to verify it."""

from __future__ import annotations

import re

WORDS = (
    "认证",
    "考试",
    "证书",
    "考证",
    "测验",
    "certification",
    "certificate",
    "quiz",
    "exam",
    "認定",
    "試験",
    "証明書",
)
_CODE = re.compile(r"\bQZ[-\s]?[0-9A-Z]{4}[-\s]?[0-9A-Z]{4}[-\s]?[0-9A-Z]{4}\b", re.IGNORECASE)


def certificate_code(query: str) -> str | None:
    """A verification code in the query, as typed (any case, with or without dashes)."""
    m = _CODE.search(query or "")
    return m.group(0) if m else None


def about_quizzes(query: str) -> bool:
    q = (query or "").lower()
    return any(w in q for w in WORDS)
