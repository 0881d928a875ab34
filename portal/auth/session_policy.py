"""When a signed-in browser's session ends by itself (pure): after being idle too long, or — for
"remember me" — when the remembered period is over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    idle: timedelta  # a session without "remember me" ends this long after its last request
    remember: timedelta  # a remembered one ends this long after sign-in, used or not
    touch_every: timedelta = timedelta(minutes=1)  # how stale last_seen may get before it is written


def expired(created_at: datetime, last_seen_at: datetime, remember: bool, now: datetime, policy: Policy) -> bool:
    if remember:
        return now >= created_at + policy.remember
    return now >= last_seen_at + policy.idle


def needs_touch(last_seen_at: datetime, now: datetime, policy: Policy) -> bool:
    return now - last_seen_at >= policy.touch_every
