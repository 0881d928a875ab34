"""Knowledge-base rules over plain values: popularity, who may read what, validation limits."""

from __future__ import annotations

import math

KINDS = ("faq", "manual")
VISIBILITIES = ("public", "internal")
TITLE_MAX = 200
BODY_MAX = 100_000
EXTERNAL_ID_MAX = 100
CATEGORY_MAX = 60
UNCATEGORIZED = "未分类"  # the category of an imported row that names none
SEED_CATEGORIES = ("登录问题", "权限问题", "数据错误", "操作指南")  # every installation starts with them


def popularity(views: int, yes: int, no: int) -> int:
    """Readers who said it helped count more than readers who merely opened it."""
    return max(0, views + 5 * yes - 2 * no)


def popularity_bucket(value: int) -> int:
    """Coarse popularity, so the index is refreshed when it moves noticeably, not on every view."""
    return int(math.log2(value + 1) * 2)


def can_read(*, visibility: str, published: bool, authenticated: bool, is_curator: bool) -> bool:
    if not published:
        return is_curator
    if visibility == "public":
        return True
    return authenticated
