"""Request helpers every domain's views use: the page number, the viewer."""

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
