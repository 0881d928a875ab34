"""What trainers do with trainees' attempts, as transactions: review a practical task (which makes
the result final and may issue the certificate), and grant one more attempt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from portal.auth.models import User
from portal.auth.services import active_user
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify.services import notify
from portal.quiz import certificates, grading, policy
from portal.quiz.labels import level_label
from portal.quiz.models import Attempt, ExtraAttempt
from portal.quiz.services import certification

COMMENT_MAX = 2000
REASON_MAX = 300


def review_queue() -> Select:
    return select(Attempt).where(Attempt.state == "pending_review").order_by(Attempt.submitted_at)


def pending_review_count() -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.state == "pending_review")) or 0


def _not_waiting() -> str:
    return _("This attempt is not waiting for a review (it may have been reviewed a moment ago).")


def review(
    attempt: Attempt, reviewer: User, scores: Sequence, comment: str = "", *, now: datetime | None = None
) -> Attempt:
    """Score every rubric criterion of the practical tasks; the attempt's result becomes final.
    Two trainers saving at once: the version column lets one of them win, the other gets a 409."""
    now = now or utcnow()
    if not policy.is_reviewer(reviewer):
        raise NotAllowed(_("Only trainers review practical tasks."))
    if attempt.user_id == reviewer.id:
        raise NotAllowed(_("Nobody reviews their own attempt."))
    if attempt.state != "pending_review":
        raise Conflict(_not_waiting())
    with unit_of_work(conflict=_not_waiting()):
        total = Decimal(0)
        all_scores = []
        offset = 0
        try:
            for item in (i for i in attempt.items if i.question.kind == "practical"):
                rubric = item.question.rubric or []
                part = list(scores[offset : offset + len(rubric)])
                offset += len(rubric)
                item.points = grading.grade_rubric(rubric, part)
                total += item.points
                all_scores.extend(str(s) for s in part)
            if offset != len(scores):
                raise grading.RubricError(_("Score every criterion."))
        except grading.RubricError as exc:
            raise InvalidInput({"scores": str(exc)}) from None
        attempt.practical_points, attempt.review_scores = total, all_scores
        attempt.reviewer_id, attempt.reviewed_at = reviewer.id, now
        attempt.review_comment = (comment or "").strip()[:COMMENT_MAX]
        certificates.finish(attempt, now)
        notify(
            attempt.user_id,
            "quiz_reviewed",
            level_label(attempt.certification.level),
            f"/quiz/attempts/{attempt.id}/result",
            now=now,
        )
    return attempt


def grant_attempt(
    trainer: User, username: str, level: str, reason: str, *, now: datetime | None = None
) -> ExtraAttempt:
    """One more attempt for a trainee who used them all (the waiting time still applies)."""
    if not policy.is_reviewer(trainer):
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
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("The reason may have at most %(n)d characters.", n=REASON_MAX)
    if errors:
        raise InvalidInput(errors)
    now = now or utcnow()
    with unit_of_work():
        grant = ExtraAttempt(
            user_id=trainee.id,
            certification_id=c.id,
            count=1,
            reason=reason,
            granted_by_id=trainer.id,
            created_at=now,
        )
        db.session.add(grant)
        notify(trainee.id, "quiz_extra_attempt", level_label(level), "/quiz/", now=now)
    return grant
