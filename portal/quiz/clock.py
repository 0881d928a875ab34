"""The quiz's time: the server's (naive UTC), or the callable a test puts in app.config["CLOCK"]
to move it. Services ask it once per call and pass `now` to the rules."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from portal.core.clock import utcnow


def now() -> datetime:
    return current_app.config.get("CLOCK", utcnow)()
