"""Certificates as transactions: the verdict that issues one when an attempt is fully graded, and
revoking one. The PDF and the verification code's shape are the renderer's (`certificate.py`),
which this module calls; the renderer never calls back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from portal.audit import services as audit
from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify.services import notify
from portal.quiz import grading, policy
from portal.quiz.certificate import new_code
from portal.quiz.labels import level_label
from portal.quiz.models import Attempt, Certificate

REASON_MAX = 300


def finish(attempt: Attempt, now: datetime) -> None:
    """The attempt is fully graded: its score and verdict, and on a pass its certificate. Runs
    inside the caller's unit of work (submitting, reviewing)."""
    c = attempt.certification
    total = attempt.objective_points + (attempt.practical_points or Decimal(0))
    result = grading.verdict(total, attempt.objective_max + attempt.practical_max, c.pass_mark)
    attempt.score, attempt.passed = result.score, result.passed
    attempt.state, attempt.finished_at = ("passed" if result.passed else "failed"), now
    if result.passed:
        issue(attempt, now)


def issue(attempt: Attempt, now: datetime) -> Certificate:
    """The certificate a passed attempt earns, valid for the definition's months; the holder is told."""
    with unit_of_work():
        cert = Certificate(
            code=new_code(),
            user_id=attempt.user_id,
            level=attempt.certification.level,
            attempt=attempt,
            score=attempt.score,
            issued_at=now,
            expires_at=add_months(now, attempt.certification.validity_months),
        )
        db.session.add(cert)
        notify(attempt.user_id, "certificate", level_label(cert.level), f"/quiz/attempts/{attempt.id}/result", now=now)
    return cert


def add_months(t: datetime, months: int) -> datetime:
    year, month = divmod(t.month - 1 + months, 12)
    day = min(t.day, [31, 29 if (t.year + year) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month])
    return t.replace(year=t.year + year, month=month + 1, day=day)


def revoke(cert: Certificate, actor: User, reason: str, *, now: datetime | None = None) -> Certificate:
    """A trainer or administrator withdraws a certificate (e.g. issued by mistake); the verification
    page and the PDF say so from then on, and the holder is told."""
    if not policy.is_reviewer(actor):
        raise NotAllowed(_("Only trainers and administrators revoke certificates."))
    if cert.revoked:
        raise Conflict(_("This certificate has already been revoked."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": _("Give the reason; it is kept with the certificate.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": _("The reason may have at most %(n)d characters.", n=REASON_MAX)})
    now = now or utcnow()
    with unit_of_work():
        cert.revoked, cert.revoked_at, cert.revoked_by_id, cert.revoke_reason = True, now, actor.id, reason
        audit.record(
            "certificate_revoked",
            actor=actor,
            subject=cert.user,
            target=f"certificate:{cert.code}",
            detail={"level": cert.level, "reason": reason},
            now=now,
        )
        notify(
            cert.user_id,
            "certificate_revoked",
            f"{level_label(cert.level)} · {cert.code}",
            f"/quiz/verify?code={cert.code}",
            important=True,
            now=now,
        )
    return cert
