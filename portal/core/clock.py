"""One injectable clock. The database keeps naive UTC; rules take aware datetimes (`now` passed in).

Services ask `utcnow()`; tests and the demo timeline move it with `frozen(t)` / `use(...)`, or
for one application with a callable in `app.config["CLOCK"]`, instead of patching every module
that reads the time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app, has_app_context


def _system() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_source: Callable[[], datetime] = _system


def utcnow() -> datetime:
    """Now as naive UTC, the way the database stores it."""
    if has_app_context():
        app_clock = current_app.config.get("CLOCK")
        if app_clock is not None:
            return app_clock()
    return _source()


def aware(t: datetime | None) -> datetime | None:
    """A naive UTC time from the database as an aware datetime."""
    return None if t is None else t.replace(tzinfo=UTC)


def naive(t: datetime | None) -> datetime | None:
    """An aware datetime as the naive UTC the database stores."""
    return None if t is None else t.astimezone(UTC).replace(tzinfo=None)


def use(source: Callable[[], datetime] | None) -> None:
    """Replace the clock's source (None: the system clock again)."""
    global _source
    _source = source or _system


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Within the block `utcnow()` answers `at` (naive UTC, or aware and converted)."""
    fixed: datetime = at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at
    previous = _source
    use(lambda: fixed)
    try:
        yield
    finally:
        use(previous)
