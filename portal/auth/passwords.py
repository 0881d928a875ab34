"""Password rules (pure): strength, reuse of the last few, expiry, and one-time initial passwords.

Plain values in, plain values out: the policy comes from configuration through the services, the
earlier hashes from the password_history table, `now` from the caller.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash

MIN_LENGTH = 8
SPECIALS = "!@#$%^&*()-_=+[]{};:,.?/~"

# Every rule a password can break, in the order they are shown beside the field.
RULES = ("too_short", "no_letter", "no_digit", "no_special", "contains_username", "reused")


@dataclass(frozen=True)
class Policy:
    min_length: int = MIN_LENGTH
    history: int = 5  # a new password may be none of the last this many (the current one included)
    max_age_days: int = 90  # 0: passwords never expire
    remind_days: int = 14  # the reminder starts this many days before the expiry

    def __post_init__(self) -> None:
        if self.min_length < 1 or self.history < 0 or self.max_age_days < 0 or self.remind_days < 0:
            raise ValueError("the password policy needs a positive minimum length and no negative counts")


def password_problems(
    password: str,
    username: str = "",
    policy: Policy = Policy(),
    recent_hashes: Iterable[str] = (),
    *,
    matches: Callable[[str, str], bool] = check_password_hash,
) -> list[str]:
    """The codes of every rule the password breaks (in RULES order); empty means accepted.
    `recent_hashes`: the stored hashes of the user's latest passwords, newest first."""
    problems = []
    if len(password) < policy.min_length:
        problems.append("too_short")
    if not any(c.isascii() and c.isalpha() for c in password):
        problems.append("no_letter")
    if not any(c.isdigit() for c in password):
        problems.append("no_digit")
    if not any(not c.isalnum() and not c.isspace() for c in password):
        problems.append("no_special")
    if username and username.lower() in password.lower():
        problems.append("contains_username")
    if policy.history and any(matches(h, password) for h in list(recent_hashes)[: policy.history]):
        problems.append("reused")
    return problems


def one_time_password(username: str, policy: Policy = Policy(), *, choice=secrets.choice) -> str:
    """An initial password an administrator hands over: random, at least 12 long, and itself
    within the policy (letters, digits and a special character; never the user name)."""
    length = max(12, policy.min_length)
    # no look-alikes (0/O/o, 1/l/I): it is read off a screen and typed in once
    lower, upper = "abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ"
    digits, specials = "23456789", "@#%+=?"
    alphabet = lower + upper + digits + specials
    while True:
        chars = [choice(lower), choice(upper), choice(digits), choice(specials)]
        chars += [choice(alphabet) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)  # the required kinds at random positions
        candidate = "".join(chars)
        if not password_problems(candidate, username, Policy(min_length=policy.min_length, history=0)):
            return candidate


@dataclass(frozen=True)
class Expiry:
    """Where a password stands: `expires_at` None when it never expires."""

    expires_at: datetime | None
    days_left: int | None  # whole days until expiry (0: expires today), None without expiry
    remind: bool  # within the reminder period, not yet expired
    expired: bool


def expiry(changed_at: datetime | None, now: datetime, policy: Policy = Policy()) -> Expiry:
    """A password changed at `changed_at` under `policy`, seen at `now`. Without a known change
    time (accounts made before expiry was tracked) or with max_age_days 0 it never expires."""
    if changed_at is None or policy.max_age_days == 0:
        return Expiry(None, None, False, False)
    expires_at = changed_at + timedelta(days=policy.max_age_days)
    if now >= expires_at:
        return Expiry(expires_at, 0, False, True)
    left = expires_at - now
    days_left = left.days
    return Expiry(expires_at, days_left, left <= timedelta(days=policy.remind_days), False)


def reminder_due(state: Expiry, changed_at: datetime | None, reminded_at: datetime | None) -> bool:
    """One reminder per password: due in the reminder period unless one was sent for it already."""
    if not state.remind or changed_at is None:
        return False
    return reminded_at is None or reminded_at < changed_at
