"""Taking a quiz, as transactions: the levels a trainee may start, starting an attempt (its paper
drawn and stored), saving answers while the clock runs, submitting once (grading the objective
part), the time-limit sweep; and a level's settings, which must leave the bank able to fill a
paper. Reviewing is `reviewing.py`, issuing and revoking certificates `certificates.py`, the
question bank `questions.py` and `xlsx.py`.

Every limit is the server's: the attempt count and waiting time are checked where the attempt is
created (and a unique attempt number per user and level stops two tabs creating two), answers
are written only while the attempt is in progress and the time has not run out (a guarded UPDATE,
so a save racing the submission loses), and submitting is a compare-and-set on the state. Each
call is one unit of work.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.core import uow
from portal.core import uploads as files
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.quiz import certificates, drawing, grading, policy
from portal.quiz.definitions import clean_definition
from portal.quiz.labels import level_label
from portal.quiz.models import Attempt, AttemptItem, Certificate, Certification, ExtraAttempt, Question

LEVELS = drawing.LEVELS
TEXT_MAX = 10_000
is_reviewer = policy.is_reviewer


def certification(level: str) -> Certification | None:
    return db.session.scalar(select(Certification).where(Certification.level == level))


def extra_attempts(user_id: int, c: Certification) -> int:
    return (
        db.session.scalar(
            select(func.coalesce(func.sum(ExtraAttempt.count), 0)).where(
                ExtraAttempt.user_id == user_id, ExtraAttempt.certification_id == c.id
            )
        )
        or 0
    )


def rules_of(c: Certification, user_id: int | None = None) -> policy.Rules:
    """The definition's rules, with the extra attempts trainers granted this trainee."""
    extra = extra_attempts(user_id, c) if user_id is not None else 0
    return policy.Rules(
        attempts_allowed=c.attempts_allowed + extra,
        wait_hours=c.wait_hours,
        prerequisite_level=c.prerequisite_level,
        time_limit_minutes=c.time_limit_minutes,
        late_policy=c.late_policy,
    )


def _attempts(user_id: int, c: Certification) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt).where(Attempt.user_id == user_id, Attempt.certification_id == c.id).order_by(Attempt.number)
        )
    )


def holdings(user_id: int) -> list[policy.Holding]:
    return [
        policy.Holding(c.level, c.expires_at, c.revoked)
        for c in db.session.scalars(select(Certificate).where(Certificate.user_id == user_id))
    ]


def _past(a: Attempt) -> policy.PastAttempt:
    return policy.PastAttempt(a.number, a.state, a.started_at, a.finished_at or a.submitted_at)


@dataclass
class LevelStatus:
    certification: Certification
    attempts: list[Attempt]
    decision: policy.Decision
    certificate: Certificate | None
    extra: int = 0  # attempts granted by trainers

    @property
    def attempts_left(self) -> int:
        return max(0, self.certification.attempts_allowed + self.extra - len(self.attempts))


def status(user: User, now: datetime | None = None) -> list[LevelStatus]:
    now = now or utcnow()
    held = holdings(user.id)
    out = []
    for c in db.session.scalars(select(Certification).where(Certification.active.is_(True))):
        attempts = _attempts(user.id, c)
        cert = db.session.scalar(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.level == c.level, Certificate.revoked.is_(False))
            .order_by(Certificate.expires_at.desc())
            .limit(1)
        )
        rules = rules_of(c, user.id)
        out.append(
            LevelStatus(
                c,
                attempts,
                policy.can_start(rules, c.level, [_past(a) for a in attempts], held, now),
                cert,
                rules.attempts_allowed - c.attempts_allowed,
            )
        )
    return sorted(out, key=lambda s: LEVELS.index(s.certification.level) if s.certification.level in LEVELS else 9)


def refusal(decision: policy.Decision, c: Certification) -> str:
    return {
        "in_progress": _("You have an attempt in progress; continue it."),
        "certified": _("You already hold a valid certificate of this level."),
        "no_prerequisite": _("First earn the %(level)s certificate.", level=level_label(c.prerequisite_level or "")),
        "no_attempts_left": _("You have used all attempts of this level. A trainer can grant another one."),
        "wait": _(
            "You may try again from %(when)s.",
            when=format_datetime(decision.not_before, "short") if decision.not_before else "",
        ),
    }.get(decision.reason, _("You cannot start this quiz now."))


# --- starting ------------------------------------------------------------------------------


def _candidates(level: str) -> list[drawing.Candidate]:
    rows = db.session.execute(
        select(Question.id, Question.kind, Question.level, Question.tags, Question.options, Question.active).where(
            Question.level == level, Question.active.is_(True)
        )
    )
    out = []
    for qid, kind, lvl, tags, options, active in rows:
        keys = ("true", "false") if kind == "true_false" else tuple(o["key"] for o in options or [])
        out.append(drawing.Candidate(qid, kind, lvl, tuple(tags or ()), keys, active))
    return out


def _in_progress(user: User, c: Certification) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user.id, Attempt.certification_id == c.id, Attempt.state == "in_progress"
        )
    )


def start(user: User, level: str, *, now: datetime | None = None, rng: random.Random | None = None) -> Attempt:
    """A new attempt with its paper, or the one in progress. Refused (409) when the rules say no."""
    now = now or utcnow()
    c = certification(level)
    if c is None or not c.active:
        raise NotAllowed(_("There is no quiz for this level."))
    attempts = _attempts(user.id, c)
    decision = policy.can_start(rules_of(c, user.id), level, [_past(a) for a in attempts], holdings(user.id), now)
    if decision.reason == "in_progress":
        return next(a for a in attempts if a.state == "in_progress")
    if not decision.allowed:
        raise Conflict(refusal(decision, c))
    try:
        paper = drawing.draw(_candidates(level), drawing.parse_draws(c.draws), level, rng or random.SystemRandom())
    except drawing.DrawError as exc:
        raise Conflict(
            _("The question bank cannot fill this quiz yet (%(why)s). Tell a trainer.", why=str(exc))
        ) from None
    questions = {
        q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_([p.question_id for p in paper])))
    }
    attempt = Attempt(
        user_id=user.id,
        certification_id=c.id,
        number=len(attempts) + 1,
        state="in_progress",
        started_at=now,
        deadline=policy.deadline(now, rules_of(c)),
    )
    for position, p in enumerate(paper):
        q = questions[p.question_id]
        attempt.items.append(
            AttemptItem(
                position=position, question_id=q.id, option_order=list(p.option_order), max_points=Decimal(q.points)
            )
        )
    attempt.objective_max = sum(
        (i.max_points for i in attempt.items if questions[i.question_id].kind != "practical"), Decimal(0)
    )
    attempt.practical_max = sum(
        (i.max_points for i in attempt.items if questions[i.question_id].kind == "practical"), Decimal(0)
    )
    try:
        with unit_of_work():
            db.session.add(attempt)
            db.session.flush()  # the unique attempt number speaks here, not in someone else's commit
    except IntegrityError:  # another tab started the same attempt number a moment ago
        if uow.active():
            raise  # the surrounding unit of work rolls back; it is not ours to answer
        current = _in_progress(user, c)
        if current is not None:
            return current
        raise Conflict(_("Another attempt was started a moment ago. Refresh the page.")) from None
    return attempt


# --- answering -----------------------------------------------------------------------------


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int:
    return max(0, int((attempt.deadline - (now or utcnow())).total_seconds()))


def _own(attempt: Attempt, user: User) -> None:
    if attempt.user_id != user.id:
        raise NotAllowed(_("This is someone else's attempt."))


def save_answer(
    attempt: Attempt,
    user: User,
    position: int,
    keys: Sequence[str],
    text: str = "",
    *,
    upload: files.Upload | None = None,
    now: datetime | None = None,
) -> AttemptItem:
    """One answer (and for the practical task its file, stored with it): written only while the
    attempt is open. A file is stored only if the answer is; refused, it leaves no file behind."""
    if upload is not None and (problem := files.problems([upload])):
        raise InvalidInput({"upload": problem})
    now = now or utcnow()
    _own(attempt, user)
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        raise InvalidInput({"position": _("No such question on this paper.")})
    if attempt.state != "in_progress":
        raise Conflict(_("This attempt has been submitted; answers can no longer change."))
    if not policy.may_answer(now, attempt.deadline):
        raise Conflict(_("Time is up: answers after the time limit are not saved."))
    kind = item.question.kind
    keys = [k for k in dict.fromkeys(keys or []) if isinstance(k, str)]
    if any(k not in item.option_order for k in keys):
        raise InvalidInput({"answer": _("Choose from the options shown.")})
    if kind in ("single", "true_false") and len(keys) > 1:
        raise InvalidInput({"answer": _("Choose one option.")})
    text = (text or "").strip() if kind == "practical" else ""
    if len(text) > TEXT_MAX:
        raise InvalidInput({"text": _("The answer may have at most %(n)d characters.", n=TEXT_MAX)})
    values = {"response": keys if kind != "practical" else [], "text": text, "saved_at": now}
    with unit_of_work():
        if upload is not None:  # deleted again by the store if this work rolls back
            values.update(upload_name=upload.filename, upload_stored=files.store(upload))
        still_open = exists().where(Attempt.id == attempt.id, Attempt.state == "in_progress")
        done = db.session.execute(
            update(AttemptItem).where(AttemptItem.id == item.id, still_open).values(**values),
            execution_options={"synchronize_session": False},
        ).rowcount
        if done != 1:
            raise Conflict(_("This attempt has been submitted; answers can no longer change."))
    db.session.refresh(item)
    return item


# --- submitting ----------------------------------------------------------------------------


def submit(attempt: Attempt, user: User | None, *, now: datetime | None = None) -> Attempt:
    """Hand in (user) or close when time ran out (user None: the sweep). Exactly once."""
    now = now or utcnow()
    if user is not None:
        _own(attempt, user)
    with unit_of_work():
        _submit(attempt, now)
    return attempt


def _submit(attempt: Attempt, now: datetime) -> None:
    c = attempt.certification
    sub = policy.submission(now, attempt.deadline, c.late_policy)
    new_state = "grading" if sub.accepted else "expired"
    won = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == "in_progress")
        .values(
            state=new_state, submitted_at=now if sub.accepted else None, late=sub.late, version=Attempt.version + 1
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    if won != 1:
        raise Conflict(_("This attempt has already been submitted."))
    db.session.expire(attempt)
    if not sub.accepted:
        attempt.finished_at, attempt.passed, attempt.score = now, False, Decimal("0.00")
        return
    objective = Decimal(0)
    has_practical = False
    for item in attempt.items:
        q = item.question
        counted = item.saved_at is not None and item.saved_at <= sub.cutoff
        if q.kind == "practical":
            has_practical = True
            if not counted:
                item.text, item.upload_name, item.upload_stored = "", "", ""
            continue
        item.points = grading.grade_objective(
            q.kind, q.answer, item.response if counted else [], item.max_points, c.partial_credit
        )
        objective += item.points
    attempt.objective_points = objective
    practical_answered = any(i.question.kind == "practical" and (i.text or i.upload_stored) for i in attempt.items)
    if has_practical and practical_answered:
        attempt.state = "pending_review"
        return
    if has_practical:  # nothing handed in for the practical task: no points, nothing to review
        attempt.practical_points = Decimal("0.00")
        for item in attempt.items:
            if item.question.kind == "practical":
                item.points = Decimal("0.00")
    certificates.finish(attempt, now)


def hand_in_if_time_is_up(attempt: Attempt, user: User, *, now: datetime | None = None) -> bool:
    """The trainee comes back after the time ran out: hand the paper in now (or notice that the
    sweep did a moment ago). False while answers are still accepted."""
    now = now or utcnow()
    if policy.may_answer(now, attempt.deadline):
        return False
    try:
        submit(attempt, user, now=now)
    except Conflict:
        pass  # already handed in: the result page shows how
    return True


def close_expired(now: datetime | None = None) -> int:
    """The sweep: attempts whose time ran out are handed in as the definition says, each in its
    own unit of work (one that the trainee handed in a moment ago is left alone)."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Attempt.id).where(Attempt.state == "in_progress", Attempt.deadline < now - policy.GRACE)
    ).all()
    closed = 0
    for attempt_id in ids:
        try:
            submit(db.session.get(Attempt, attempt_id), None, now=now)
            closed += 1
        except Conflict:
            pass
    return closed


# --- the level's settings ------------------------------------------------------------------


def save_definition(c: Certification, form: Mapping, draw_rows: Sequence[tuple[str, str, str]]) -> Certification:
    """Store a level's settings as typed (every field checked, then whether the bank can fill the
    draw); nothing is stored unless all of it can be. Attempts already started keep their paper."""
    values, errors = clean_definition(form, c.level, draw_rows)
    if errors:
        raise InvalidInput(errors)
    try:
        drawing.draw(_candidates(c.level), drawing.parse_draws(values["draws"]), c.level, random.Random(0))
    except drawing.DrawError as exc:
        raise InvalidInput({"draws": _("The question bank cannot fill this draw: %(why)s.", why=str(exc))}) from None
    with unit_of_work():
        for name, value in values.items():
            setattr(c, name, value)
    return c
