"""Certification transactions: starting an attempt (its paper drawn and stored), saving answers
while the clock runs, submitting once, grading, reviewing the practical task, issuing the
certificate.

Every limit is the server's: the attempt count and waiting time are checked where the attempt is
created (and a unique attempt number per user and level stops two tabs creating two), answers
are written only while the attempt is in progress and the time has not run out (a guarded UPDATE,
so a save racing the submission loses), and submitting is a compare-and-set on the state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.models import User
from portal.auth.services import active_user
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed
from portal.extensions import db
from portal.quiz import drawing, grading, policy
from portal.quiz.models import Attempt, AttemptItem, Certificate, Certification, ExtraAttempt, Question

LEVELS = drawing.LEVELS
REVIEWER_ROLES = ("trainer", "admin")
TEXT_MAX = 10_000


def clock() -> datetime:
    """The server's time (naive UTC). Tests put a callable in app.config["CLOCK"] to move it."""
    from flask import current_app

    return current_app.config.get("CLOCK", utcnow)()


def level_label(level: str) -> str:
    return {"beginner": _("Beginner"), "intermediate": _("Intermediate"), "advanced": _("Advanced")}.get(level, level)


def is_reviewer(user: User) -> bool:
    return user.has_any_role(*REVIEWER_ROLES)


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
    now = now or clock()
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
    from flask_babel import format_datetime

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


def start(user: User, level: str, *, now: datetime | None = None, rng: random.Random | None = None) -> Attempt:
    """A new attempt with its paper, or the one in progress. Refused (409) when the rules say no."""
    now = now or clock()
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
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another tab started the same attempt number a moment ago
        db.session.rollback()
        current = db.session.scalar(
            select(Attempt).where(
                Attempt.user_id == user.id, Attempt.certification_id == c.id, Attempt.state == "in_progress"
            )
        )
        if current is not None:
            return current
        raise Conflict(_("Another attempt was started a moment ago. Refresh the page.")) from None
    return attempt


# --- answering -----------------------------------------------------------------------------


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int:
    return max(0, int((attempt.deadline - (now or clock())).total_seconds()))


def _own(attempt: Attempt, user: User) -> None:
    if attempt.user_id != user.id:
        raise NotAllowed(_("This is someone else's attempt."))


def save_answer(
    attempt: Attempt,
    user: User,
    position: int,
    keys: list[str],
    text: str = "",
    *,
    upload: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> AttemptItem:
    now = now or clock()
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
    if upload is not None:
        values.update(upload_name=upload[0], upload_stored=upload[1])
    still_open = exists().where(Attempt.id == attempt.id, Attempt.state == "in_progress")
    done = db.session.execute(
        update(AttemptItem).where(AttemptItem.id == item.id, still_open).values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise Conflict(_("This attempt has been submitted; answers can no longer change."))
    db.session.commit()
    db.session.refresh(item)
    return item


# --- submitting and grading ----------------------------------------------------------------


def submit(attempt: Attempt, user: User | None, *, now: datetime | None = None) -> Attempt:
    """Hand in (user) or close when time ran out (user None: the sweep). Exactly once."""
    now = now or clock()
    if user is not None:
        _own(attempt, user)
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
        db.session.rollback()
        raise Conflict(_("This attempt has already been submitted."))
    db.session.expire(attempt)
    if not sub.accepted:
        attempt.finished_at, attempt.passed, attempt.score = now, False, Decimal("0.00")
        db.session.commit()
        return attempt
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
    else:
        if has_practical:  # nothing handed in for the practical task: no points, nothing to review
            attempt.practical_points = Decimal("0.00")
            for item in attempt.items:
                if item.question.kind == "practical":
                    item.points = Decimal("0.00")
        _finish(attempt, now)
    db.session.commit()
    return attempt


def _finish(attempt: Attempt, now: datetime) -> None:
    c = attempt.certification
    total = attempt.objective_points + (attempt.practical_points or Decimal(0))
    result = grading.verdict(total, attempt.objective_max + attempt.practical_max, c.pass_mark)
    attempt.score, attempt.passed = result.score, result.passed
    attempt.state, attempt.finished_at = ("passed" if result.passed else "failed"), now
    if result.passed:
        _issue(attempt, now)


def _issue(attempt: Attempt, now: datetime) -> Certificate:
    from portal.quiz.certificate import new_code

    months = attempt.certification.validity_months
    cert = Certificate(
        code=new_code(),
        user_id=attempt.user_id,
        level=attempt.certification.level,
        attempt=attempt,
        score=attempt.score,
        issued_at=now,
        expires_at=_add_months(now, months),
    )
    db.session.add(cert)
    from portal.notify.services import notify

    notify(attempt.user_id, "certificate", level_label(cert.level), f"/quiz/attempts/{attempt.id}/result", now=now)
    return cert


def _add_months(t: datetime, months: int) -> datetime:
    year, month = divmod(t.month - 1 + months, 12)
    day = min(t.day, [31, 29 if (t.year + year) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month])
    return t.replace(year=t.year + year, month=month + 1, day=day)


def close_expired(now: datetime | None = None) -> int:
    """The sweep: attempts whose time ran out are handed in as the definition says."""
    now = now or clock()
    ids = db.session.scalars(
        select(Attempt.id).where(Attempt.state == "in_progress", Attempt.deadline < now - policy.GRACE)
    ).all()
    closed = 0
    for attempt_id in ids:
        try:
            submit(db.session.get(Attempt, attempt_id), None, now=now)
            closed += 1
        except Conflict:
            db.session.rollback()
    return closed


# --- reviewing -----------------------------------------------------------------------------


def review_queue():
    return select(Attempt).where(Attempt.state == "pending_review").order_by(Attempt.submitted_at)


def review(
    attempt: Attempt, reviewer: User, scores: list, comment: str = "", *, now: datetime | None = None
) -> Attempt:
    now = now or clock()
    if not is_reviewer(reviewer):
        raise NotAllowed(_("Only trainers review practical tasks."))
    if attempt.user_id == reviewer.id:
        raise NotAllowed(_("Nobody reviews their own attempt."))
    if attempt.state != "pending_review":
        raise Conflict(_("This attempt is not waiting for a review (it may have been reviewed a moment ago)."))
    items = [i for i in attempt.items if i.question.kind == "practical"]
    total = Decimal(0)
    all_scores = []
    offset = 0
    try:
        for item in items:
            rubric = item.question.rubric or []
            part = list(scores[offset : offset + len(rubric)])
            offset += len(rubric)
            item.points = grading.grade_rubric(rubric, part)
            total += item.points
            all_scores.extend(str(s) for s in part)
        if offset != len(scores):
            raise grading.RubricError(_("Score every criterion."))
    except grading.RubricError as exc:
        db.session.rollback()
        raise InvalidInput({"scores": str(exc)}) from None
    attempt.practical_points, attempt.review_scores = total, all_scores
    attempt.reviewer_id, attempt.reviewed_at, attempt.review_comment = reviewer.id, now, (comment or "").strip()[:2000]
    _finish(attempt, now)
    from portal.notify.services import notify

    notify(
        attempt.user_id,
        "quiz_reviewed",
        level_label(attempt.certification.level),
        f"/quiz/attempts/{attempt.id}/result",
        now=now,
    )
    try:
        db.session.commit()
    except StaleDataError:  # another trainer saved a review of this attempt a moment ago
        db.session.rollback()
        raise Conflict(
            _("This attempt is not waiting for a review (it may have been reviewed a moment ago).")
        ) from None
    return attempt


def pending_review_count() -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.state == "pending_review")) or 0


def grant_attempt(
    trainer: User, username: str, level: str, reason: str, *, now: datetime | None = None
) -> ExtraAttempt:
    """One more attempt for a trainee who used them all (the waiting time still applies)."""
    if not is_reviewer(trainer):
        raise NotAllowed(_("Only trainers grant extra attempts."))
    errors = {}
    name, reason = (username or "").strip(), (reason or "").strip()
    trainee = active_user(name)
    c = certification(level) if isinstance(level, str) else None
    if trainee is None:
        errors["username"] = _("No active account %(name)s.", name=name) if name else _("Whose attempts?")
    elif trainee.id == trainer.id:
        errors["username"] = _("Nobody grants attempts to themselves.")
    if c is None:
        errors["level"] = _("Choose the level.")
    if not reason:
        errors["reason"] = _("Give the reason; it is kept with the grant.")
    elif len(reason) > 300:
        errors["reason"] = _("The reason may have at most %(n)d characters.", n=300)
    if errors:
        raise InvalidInput(errors)
    grant = ExtraAttempt(
        user_id=trainee.id,
        certification_id=c.id,
        count=1,
        reason=reason,
        granted_by_id=trainer.id,
        created_at=now or clock(),
    )
    db.session.add(grant)
    from portal.notify.services import notify

    notify(trainee.id, "quiz_extra_attempt", level_label(level), "/quiz/", now=now or clock())
    db.session.commit()
    return grant


def save_definition(c: Certification, values: dict) -> Certification:
    """Store a checked definition if the bank can fill its draw; attempts already started keep
    their stored paper."""
    try:
        drawing.draw(_candidates(c.level), drawing.parse_draws(values["draws"]), c.level, random.Random(0))
    except drawing.DrawError as exc:
        raise InvalidInput({"draws": _("The question bank cannot fill this draw: %(why)s.", why=str(exc))}) from None
    for name, value in values.items():
        setattr(c, name, value)
    db.session.commit()
    return c


def revoke_certificate(cert: Certificate, actor: User, reason: str, *, now: datetime | None = None) -> Certificate:
    """A trainer or administrator withdraws a certificate (e.g. issued by mistake); the verification
    page and the PDF say so from then on, and the holder is told."""
    if not is_reviewer(actor):
        raise NotAllowed(_("Only trainers and administrators revoke certificates."))
    if cert.revoked:
        raise Conflict(_("This certificate has already been revoked."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": _("Give the reason; it is kept with the certificate.")})
    if len(reason) > 300:
        raise InvalidInput({"reason": _("The reason may have at most %(n)d characters.", n=300)})
    now = now or clock()
    cert.revoked, cert.revoked_at, cert.revoked_by_id, cert.revoke_reason = True, now, actor.id, reason
    from portal.notify.services import notify

    notify(
        cert.user_id,
        "certificate_revoked",
        f"{level_label(cert.level)} · {cert.code}",
        f"/quiz/verify?code={cert.code}",
        important=True,
        now=now,
    )
    db.session.commit()
    return cert
