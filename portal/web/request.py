"""Request helpers every domain's views use: the page number, the viewer."""

from __future__ import annotations

from flask_login import current_user

from portal.core.viewer import ANONYMOUS, Viewer

PAGE_MAX = 1000


def parse_page(raw: str | None) -> int:
    """A page number from the query string: 1 when missing or not a number, at most PAGE_MAX."""
    try:
        return min(max(int(raw or 1), 1), PAGE_MAX)
    except (ValueError, OverflowError):
        return 1


def current_viewer() -> Viewer:
    if not current_user.is_authenticated:
        return ANONYMOUS
    return Viewer(authenticated=True, user_id=current_user.id, roles=frozenset(current_user.roles))
