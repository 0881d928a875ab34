"""When a trainee may start, answer and submit (pure: the definition, their history and the
clock in; a yes or the reason no out). The server's clock decides, never the browser's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

GRACE = timedelta(seconds=30)  # a request in flight when the time ran out still counts
RENEW_BEFORE = timedelta(days=30)  # a holder may take the level again this close to expiry
FINISHED = frozenset({"pending_review", "passed", "failed", "expired"})
REVIEWER_ROLES = ("trainer", "admin")  # who reviews practical tasks, grants attempts, revokes certificates


@dataclass(frozen=True)
class Rules:
    attempts_allowed: int
    wait_hours: int
    prerequisite_level: str | None
    time_limit_minutes: int
    late_policy: str = "grade_at_limit"  # grade_at_limit | refuse


@dataclass(frozen=True)
class PastAttempt:
    number: int
    state: str
    started_at: datetime
    finished_at: datetime | None  # submitted, expired or graded: when the trainee was done


@dataclass(frozen=True)
class Holding:
    level: str
    expires_at: datetime
    revoked: bool = False

    def valid(self, now: datetime) -> bool:
        return not self.revoked and self.expires_at > now


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # in_progress | no_prerequisite | no_attempts_left | wait | certified
    resume: int | None = None  # the attempt number to continue
    not_before: datetime | None = None  # wait: the earliest next start


def can_start(
    rules: Rules, level: str, attempts: Sequence[PastAttempt], holdings: Sequence[Holding], now: datetime
) -> Decision:
    open_ = [a for a in attempts if a.state == "in_progress"]
    if open_:
        return Decision(False, "in_progress", resume=open_[0].number)
    if any(h.level == level and h.valid(now) and h.expires_at - now > RENEW_BEFORE for h in holdings):
        return Decision(False, "certified")
    if rules.prerequisite_level and not any(h.level == rules.prerequisite_level and h.valid(now) for h in holdings):
        return Decision(False, "no_prerequisite")
    if len(attempts) >= rules.attempts_allowed:
        return Decision(False, "no_attempts_left")
    done = [a.finished_at or a.started_at for a in attempts]
    if done and rules.wait_hours:
        not_before = max(done) + timedelta(hours=rules.wait_hours)
        if now < not_before:
            return Decision(False, "wait", not_before=not_before)
    return Decision(True)


def deadline(started_at: datetime, rules: Rules) -> datetime:
    return started_at + timedelta(minutes=rules.time_limit_minutes)


def may_answer(now: datetime, deadline_: datetime) -> bool:
    """Answers are saved until the deadline (plus the grace for a request already on its way)."""
    return now <= deadline_ + GRACE


@dataclass(frozen=True)
class Submission:
    accepted: bool  # False: refused (the definition refuses late papers); the attempt expires
    late: bool  # graded as of the limit: answers saved after it do not count
    cutoff: datetime  # answers saved after this instant are ignored


def submission(now: datetime, deadline_: datetime, late_policy: str) -> Submission:
    if now <= deadline_ + GRACE:
        return Submission(True, False, deadline_ + GRACE)
    if late_policy == "refuse":
        return Submission(False, True, deadline_ + GRACE)
    return Submission(True, True, deadline_ + GRACE)


def is_reviewer(user) -> bool:
    """A trainer or an administrator (anything with `has_any_role`)."""
    return user.has_any_role(*REVIEWER_ROLES)
