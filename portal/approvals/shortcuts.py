"""Search-first approvals: a query that names a kind of request ("怎么请假", "采购电脑", "报销")
offers to start that request right above the answers (pure: query and templates in)."""

from __future__ import annotations

from collections.abc import Iterable

from portal.approvals.templates import Template

GENERIC_WORDS = frozenset({"申请", "审批", "流程", "request", "申請", "稟議"})


def _grams(text: str) -> set[str]:
    """Two-character pieces of the CJK text (Latin words are matched whole)."""
    text = "".join(ch for ch in text if ord(ch) >= 0x2E80)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def matching(query: str, templates: Iterable[Template], limit: int = 2) -> list[Template]:
    """Templates whose name in any language shares a two-character piece (or a whole Latin word)
    with the query, ignoring words every template shares (申请, 审批 …); best overlap first."""
    query = (query or "").strip().lower()
    if not query:
        return []
    words = set(query.split()) - GENERIC_WORDS
    grams = _grams(query) - GENERIC_WORDS
    scored = []
    for t in templates:
        names = [n.lower() for n in t.names.values()]
        name_grams = set().union(*(_grams(n) for n in names)) - GENERIC_WORDS
        name_words = {w for n in names for w in n.split()} - GENERIC_WORDS
        score = len(grams & name_grams) + 2 * len(words & name_words)
        if score:
            scored.append((-score, t.key, t))
    return [t for *_, t in sorted(scored)[:limit]]
