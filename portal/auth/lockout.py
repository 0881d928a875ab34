"""When an account is locked after failed sign-ins (pure): plain values in, the next state out.

Five wrong passwords within fifteen minutes lock the account for fifteen minutes (configurable);
while it is locked no password is even checked, the right one included, and the person is told
until when. A successful sign-in clears the count; an administrator can unlock at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    limit: int = 5  # failures within the window that lock the account
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= timedelta(0) or self.lock <= timedelta(0):
            raise ValueError("the sign-in lockout needs a positive limit, window and lock time")


@dataclass(frozen=True)
class State:
    failures: int = 0
    since: datetime | None = None  # the first failure of the current window
    locked_until: datetime | None = None


def locked(state: State, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: State, now: datetime, policy: Policy) -> State:
    """One more wrong password: counted within the window, a fresh count after it."""
    since: datetime | None
    if state.since is None or now - state.since > policy.window:
        failures, since = 1, now
    else:
        failures, since = state.failures + 1, state.since
    until = now + policy.lock if failures >= policy.limit else state.locked_until
    if failures >= policy.limit:
        failures, since = 0, None  # the lock is the consequence; after it, a fresh count
    return State(failures=failures, since=since, locked_until=until)


def after_success() -> State:
    return State()
