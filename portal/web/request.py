"""Request helpers every domain's views use: the page number, the viewer, the search text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user

from portal.core.viewer import ANONYMOUS, Viewer

PAGE_MAX = 1000


def parse_page(raw: str | None) -> int:
    """A page number from the query string: 1 when missing or not a number, at most PAGE_MAX."""
    try:
        return min(max(int(raw or 1), 1), PAGE_MAX)
    except (ValueError, OverflowError):
        return 1


def search_text(raw: str | None) -> tuple[str, bool]:
    """What a search or completion looks for: the text as typed, cut to SEARCH_MAX_QUERY_LENGTH
    (the search box's own maxlength) — a longer query from a URL or the API is searched on its
    first characters, not refused. Also says whether it was cut, so the answer can tell."""
    text = (raw or "").strip()
    limit = current_app.config["SEARCH_MAX_QUERY_LENGTH"]
    return text[:limit].rstrip(), len(text) > limit


def current_viewer() -> Viewer:
    if not current_user.is_authenticated:
        return ANONYMOUS
    return Viewer(authenticated=True, user_id=current_user.id, roles=frozenset(current_user.roles))


def parse_day(raw: str | None) -> date | None:
    """A calendar day from a query-string value (YYYY-MM-DD), or None when missing or malformed."""
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def display_zone() -> ZoneInfo:
    """The portal's time zone: days in filters and exports are its days."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The start of a local calendar day as naive UTC (how times are stored)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
