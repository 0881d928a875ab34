"""Trainer reports on certification, as plain rows: results by level and by department, the
questions trainees miss most, the reviews waiting, and who holds which certificate (and whose
expires soon).

No Flask here: the view turns the filter form into a `Filters` (naive UTC datetimes, as stored)
and formats the rows; the export writes the same rows to a workbook.

What counts:
- Results count attempts *started* in the date range. An attempt still in progress is no result
  yet and is left out. "failed" includes attempts refused for being handed in after the time
  limit (state expired: they failed). The pass rate is passed / (passed + failed): an attempt
  waiting for its review has no verdict yet. The average score is over passed and failed attempts.
- A department is the trainee's current department (users move; the report answers "how is
  this department doing now").
- A question counts as asked once per graded appearance on a paper: answers in attempts that
  were handed in and marked (a practical task waiting for its review is not marked yet; a paper
  refused as too late was never marked). "Fully right" is full points; "missed" is anything less.
- Certificates are not limited by the date range: who holds what is a question about today.
  A certificate is revoked (wins), expired (at or after its end), expiring (ends within
  EXPIRING_DAYS) or valid. A certificate about to end whose holder already has a later valid one
  of the same level (they re-certified) counts as valid: nobody needs to act on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, case, func, select

from portal.auth.models import Department, User
from portal.core.clock import utcnow
from portal.extensions import db
from portal.quiz.models import Attempt, AttemptItem, Certificate, Certification, Question

LEVELS = ("beginner", "intermediate", "advanced")
EXPIRING_DAYS = 30
DEFAULT_MONTHS = 12
RESULT_STATES = ("pending_review", "passed", "failed", "expired")
FAILED_STATES = ("failed", "expired")


def months_before(t: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the 31st becomes the month's last day)."""
    year, month = divmod(t.year * 12 + (t.month - 1) - months, 12)
    month += 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return t.replace(year=year, month=month, day=min(t.day, days))


@dataclass(frozen=True)
class Filters:
    """What the report covers. `since` / `until` bound the attempts' start (naive UTC, `until`
    exclusive); None on either side is open. `level` and `department_id` narrow everything."""

    since: datetime | None = None
    until: datetime | None = None
    level: str | None = None
    department_id: int | None = None

    @classmethod
    def default(cls, now: datetime | None = None, **kw) -> Filters:
        now = now or utcnow()
        return cls(since=months_before(now, DEFAULT_MONTHS), until=None, **kw)


# --- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One level or one department: attempts handed in within the filters and their outcome."""

    key: str | int | None  # the level, or the department id (None: no department)
    name: str = ""  # the department's name (levels are labelled by the reader)
    attempts: int = 0
    passed: int = 0
    failed: int = 0
    pending: int = 0
    avg_score: float | None = None  # percent, over passed and failed attempts
    trainees: int = 0

    @property
    def decided(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        """0..1; None while nothing is decided."""
        return self.passed / self.decided if self.decided else None


@dataclass(frozen=True)
class QuestionRow:
    question_id: int
    external_id: str
    level: str
    kind: str
    stem: str
    active: bool
    asked: int
    fully_right: int
    avg_points: float | None
    max_points: float | None  # average of the points it was worth (points may change)

    @property
    def missed(self) -> int:
        return self.asked - self.fully_right

    @property
    def missed_share(self) -> float:
        return self.missed / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class PendingRow:
    attempt_id: int
    user_id: int
    user_name: str
    department: str
    level: str
    submitted_at: datetime | None
    waiting_days: int


@dataclass(frozen=True)
class HolderRow:
    certificate_id: int
    code: str
    user_id: int
    user_name: str
    username: str
    department: str
    level: str
    score: Decimal
    issued_at: datetime
    expires_at: datetime
    revoked: bool
    state: str  # valid | expiring | expired | revoked
    days_left: int  # whole days to the end (negative: ended that long ago)


@dataclass
class Report:
    filters: Filters
    by_level: list[ResultRow] = field(default_factory=list)
    by_department: list[ResultRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    pending: list[PendingRow] = field(default_factory=list)
    holders: list[HolderRow] = field(default_factory=list)
    expiring: list[HolderRow] = field(default_factory=list)
    total: ResultRow = field(default_factory=lambda: ResultRow(key=None))

    @property
    def pending_count(self) -> int:
        return len(self.pending)


# --- queries -----------------------------------------------------------------------------------


def _attempt_filters(stmt: Select, f: Filters, *, dated: bool = True) -> Select:
    """Narrow a select that already joins Attempt, Certification and User."""
    if f.level:
        stmt = stmt.where(Certification.level == f.level)
    if f.department_id is not None:
        stmt = stmt.where(User.department_id == f.department_id)
    if dated and f.since is not None:
        stmt = stmt.where(Attempt.started_at >= f.since)
    if dated and f.until is not None:
        stmt = stmt.where(Attempt.started_at < f.until)
    return stmt


def _outcome_columns():
    decided = Attempt.state.in_(("passed", *FAILED_STATES))
    return (
        func.count(Attempt.id),
        func.sum(case((Attempt.state == "passed", 1), else_=0)),
        func.sum(case((Attempt.state.in_(FAILED_STATES), 1), else_=0)),
        func.sum(case((Attempt.state == "pending_review", 1), else_=0)),
        func.avg(case((decided, Attempt.score), else_=None)),
        func.count(func.distinct(Attempt.user_id)),
    )


def _result_row(key, name, counts) -> ResultRow:
    attempts, passed, failed, pending, avg, trainees = counts
    return ResultRow(
        key=key,
        name=name,
        attempts=int(attempts or 0),
        passed=int(passed or 0),
        failed=int(failed or 0),
        pending=int(pending or 0),
        avg_score=float(avg) if avg is not None else None,
        trainees=int(trainees or 0),
    )


def _results_base(*columns) -> Select:
    return (
        select(*columns)
        .select_from(Attempt)
        .join(Certification, Attempt.certification_id == Certification.id)
        .join(User, Attempt.user_id == User.id)
        .where(Attempt.state.in_(RESULT_STATES))
    )


def results_by_level(f: Filters) -> list[ResultRow]:
    """One row per level (all three always, in level order, unless a level is chosen)."""
    stmt = _attempt_filters(_results_base(Certification.level, *_outcome_columns()), f).group_by(Certification.level)
    found = {level: _result_row(level, "", counts) for level, *counts in db.session.execute(stmt)}
    levels = [f.level] if f.level else list(LEVELS) + sorted(set(found) - set(LEVELS))
    return [found.get(level) or ResultRow(key=level) for level in levels]


def results_by_department(f: Filters) -> list[ResultRow]:
    """One row per department with attempts, by name; trainees without a department last."""
    stmt = _attempt_filters(
        _results_base(User.department_id, Department.name, *_outcome_columns()).outerjoin(
            Department, User.department_id == Department.id
        ),
        f,
    ).group_by(User.department_id, Department.name)
    rows = [_result_row(dept_id, name or "", counts) for dept_id, name, *counts in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.key is None, r.name, r.key or 0))


def results_total(f: Filters) -> ResultRow:
    """All levels and departments together (trainees counted once)."""
    counts = db.session.execute(_attempt_filters(_results_base(*_outcome_columns()), f)).one()
    return _result_row(None, "", counts)


def question_results(f: Filters, limit: int | None = None) -> list[QuestionRow]:
    """The questions asked (and marked) in the filters' attempts, most missed first: by the share
    missed, then by how often missed, then by id."""
    full = case((AttemptItem.points >= AttemptItem.max_points, 1), else_=0)
    stmt = (
        select(
            Question.id,
            Question.external_id,
            Question.level,
            Question.kind,
            Question.stem,
            Question.active,
            func.count(AttemptItem.id),
            func.sum(full),
            func.avg(AttemptItem.points),
            func.avg(AttemptItem.max_points),
        )
        .select_from(AttemptItem)
        .join(Attempt, AttemptItem.attempt_id == Attempt.id)
        .join(Certification, Attempt.certification_id == Certification.id)
        .join(User, Attempt.user_id == User.id)
        .join(Question, AttemptItem.question_id == Question.id)
        .where(Attempt.state.in_(RESULT_STATES), AttemptItem.points.is_not(None))
        .group_by(Question.id, Question.external_id, Question.level, Question.kind, Question.stem, Question.active)
    )
    stmt = _attempt_filters(stmt, f)
    rows = [
        QuestionRow(
            question_id=qid,
            external_id=ext or "",
            level=level,
            kind=kind,
            stem=stem or "",
            active=bool(active),
            asked=int(asked),
            fully_right=int(right or 0),
            avg_points=float(avg) if avg is not None else None,
            max_points=float(mx) if mx is not None else None,
        )
        for qid, ext, level, kind, stem, active, asked, right, avg, mx in db.session.execute(stmt)
    ]
    rows.sort(key=lambda r: (-r.missed_share, -r.missed, r.question_id))
    return rows[:limit] if limit is not None else rows


def pending_reviews(f: Filters, now: datetime | None = None) -> list[PendingRow]:
    """Practical tasks waiting for a review, oldest first. Not limited by the date range: a task
    handed in long ago and still waiting is the one to see."""
    now = now or utcnow()
    stmt = (
        select(
            Attempt.id,
            User.id,
            User.display_name,
            User.username,
            Department.name,
            Certification.level,
            Attempt.submitted_at,
        )
        .select_from(Attempt)
        .join(Certification, Attempt.certification_id == Certification.id)
        .join(User, Attempt.user_id == User.id)
        .outerjoin(Department, User.department_id == Department.id)
        .where(Attempt.state == "pending_review")
        .order_by(Attempt.submitted_at, Attempt.id)
    )
    stmt = _attempt_filters(stmt, f, dated=False)
    return [
        PendingRow(
            attempt_id=aid,
            user_id=uid,
            user_name=display or username,
            department=dept or "",
            level=level,
            submitted_at=submitted,
            waiting_days=max(0, (now - submitted).days) if submitted else 0,
        )
        for aid, uid, display, username, dept, level, submitted in db.session.execute(stmt)
    ]


def pending_review_count(f: Filters | None = None) -> int:
    stmt = (
        select(func.count(Attempt.id))
        .select_from(Attempt)
        .join(Certification, Attempt.certification_id == Certification.id)
        .join(User, Attempt.user_id == User.id)
        .where(Attempt.state == "pending_review")
    )
    return int(db.session.scalar(_attempt_filters(stmt, f or Filters(), dated=False)) or 0)


def certificate_state(expires_at: datetime, revoked: bool, now: datetime, days: int = EXPIRING_DAYS) -> str:
    """revoked (wins) | expired | expiring (ends within `days`) | valid."""
    if revoked:
        return "revoked"
    if expires_at <= now:
        return "expired"
    if expires_at <= now + timedelta(days=days):
        return "expiring"
    return "valid"


def _days_left(expires_at: datetime, now: datetime) -> int:
    """Days left, counting a started day (9.5 days left is 10); once ended, whole days since, negative."""
    seconds = (expires_at - now).total_seconds()
    return -int(-seconds // 86400) if seconds > 0 else -int(-seconds / 86400)


def certificate_holders(
    f: Filters, now: datetime | None = None, *, states: tuple[str, ...] | None = None
) -> list[HolderRow]:
    """Every certificate (level and department filters apply, the date range does not), by
    department, holder and level, the latest first; `states` keeps only those states."""
    now = now or utcnow()
    stmt = (
        select(
            Certificate.id,
            Certificate.code,
            User.id,
            User.display_name,
            User.username,
            Department.name,
            Certificate.level,
            Certificate.score,
            Certificate.issued_at,
            Certificate.expires_at,
            Certificate.revoked,
        )
        .select_from(Certificate)
        .join(User, Certificate.user_id == User.id)
        .outerjoin(Department, User.department_id == Department.id)
    )
    if f.level:
        stmt = stmt.where(Certificate.level == f.level)
    if f.department_id is not None:
        stmt = stmt.where(User.department_id == f.department_id)
    rows: list[HolderRow] = []
    for cid, code, uid, display, username, dept, level, score, issued, expires, revoked in db.session.execute(stmt):
        state = certificate_state(expires, bool(revoked), now)
        rows.append(
            HolderRow(
                certificate_id=cid,
                code=code,
                user_id=uid,
                user_name=display or username,
                username=username,
                department=dept or "",
                level=level,
                score=score,
                issued_at=issued,
                expires_at=expires,
                revoked=bool(revoked),
                state=state,
                days_left=_days_left(expires, now),
            )
        )
    renewed = {(r.user_id, r.level) for r in rows if r.state == "valid"}
    rows = [replace(r, state="valid") if r.state == "expiring" and (r.user_id, r.level) in renewed else r for r in rows]
    if states is not None:
        rows = [r for r in rows if r.state in states]
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    rows.sort(
        key=lambda r: (
            r.department == "",
            r.department,
            r.user_name,
            r.username,
            level_order.get(r.level, 9),
            -r.expires_at.timestamp(),
        )
    )
    return rows


def expiring_soon(f: Filters, now: datetime | None = None, holders: list[HolderRow] | None = None) -> list[HolderRow]:
    """Certificates ending within EXPIRING_DAYS whose holder has not already re-certified, soonest first."""
    holders = holders if holders is not None else certificate_holders(f, now or utcnow())
    return sorted((h for h in holders if h.state == "expiring"), key=lambda h: (h.expires_at, h.user_name))


def build(f: Filters, now: datetime | None = None, *, question_limit: int | None = None) -> Report:
    """Every section at once (the page and the export show the same numbers)."""
    now = now or utcnow()
    holders = certificate_holders(f, now)
    return Report(
        filters=f,
        by_level=results_by_level(f),
        by_department=results_by_department(f),
        questions=question_results(f, question_limit),
        pending=pending_reviews(f, now),
        holders=holders,
        expiring=expiring_soon(f, now, holders),
        total=results_total(f),
    )
