"""Template filters every domain's templates use."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime


def when(t: datetime | None, fmt: str = "short") -> str:
    """A naive UTC time from the database, in the reader's time zone and language."""
    return format_datetime(t, fmt) if t else ""


def init_app(app) -> None:
    app.add_template_filter(when, "when")
