"""Certification: the question bank, a definition per level, attempts with their stored paper,
and the certificates with their verification codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.extensions import db


class Question(db.Model):
    __tablename__ = "quiz_questions"
    __table_args__ = (Index("ix_quiz_questions_level_kind", "level", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(60), unique=True)  # the trainers' Excel id
    kind: Mapped[str] = mapped_column(String(12))  # single | multiple | true_false | practical
    level: Mapped[str] = mapped_column(String(12))  # beginner | intermediate | advanced
    tags: Mapped[list] = mapped_column(JSON, default=list)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)  # [{"key": "A", "text": "…"}]
    answer: Mapped[list] = mapped_column(JSON, default=list)  # correct keys; ["true"] / ["false"]
    points: Mapped[int] = mapped_column(default=1)  # practical: the rubric's total
    explanation: Mapped[str] = mapped_column(Text, default="")
    rubric: Mapped[list] = mapped_column(JSON, default=list)  # practical: [{"criterion", "points"}]
    allow_upload: Mapped[bool] = mapped_column(default=False)  # practical: a file may be handed in
    article_ids: Mapped[list] = mapped_column(JSON, default=list)  # the FAQs and chapters it tests
    edition: Mapped[str] = mapped_column(String(60), default="")  # the manual edition it was written for
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certification(db.Model):
    """What a level's quiz is: the draw, time, pass mark, attempts, waiting time, prerequisite."""

    __tablename__ = "quiz_certifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    draws: Mapped[list] = mapped_column(JSON, default=list)  # [{"kind": …, "tags": […], "count": n}]
    time_limit_minutes: Mapped[int] = mapped_column(default=30)
    pass_mark: Mapped[int] = mapped_column(default=60)  # percent of all points
    attempts_allowed: Mapped[int] = mapped_column(default=3)
    wait_hours: Mapped[int] = mapped_column(default=24)  # between the end of one attempt and the next
    prerequisite_level: Mapped[str | None] = mapped_column(String(12))
    validity_months: Mapped[int] = mapped_column(default=24)
    layout: Mapped[str] = mapped_column(String(8), default="one")  # one (per screen) | all
    partial_credit: Mapped[str] = mapped_column(String(16), default="none")  # none | proportional | penalty
    late_policy: Mapped[str] = mapped_column(String(16), default="grade_at_limit")  # grade_at_limit | refuse
    edition: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Attempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "certification_id", "number", name="uq_quiz_attempts_number"),
        Index("ix_quiz_attempts_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("quiz_certifications.id"))
    number: Mapped[int] = mapped_column()  # 1, 2, … per user and level
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    # in_progress | pending_review | passed | failed | expired (refused after the time limit)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()  # graded (after the review, if any)
    late: Mapped[bool] = mapped_column(default=False)  # graded as of the limit
    objective_points: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    objective_max: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    practical_points: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    practical_max: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # percent
    passed: Mapped[bool | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_scores: Mapped[list] = mapped_column(JSON, default=list)  # points per rubric criterion
    review_comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    certification: Mapped[Certification] = relationship(lazy="joined")
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )


class AttemptItem(db.Model):
    """One question of a stored paper: its place, the option order shown, the answer as saved."""

    __tablename__ = "quiz_attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position", name="uq_quiz_attempt_items_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id"), index=True)
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    response: Mapped[list] = mapped_column(JSON, default=list)  # chosen keys
    text: Mapped[str] = mapped_column(Text, default="")  # practical: the written answer
    upload_name: Mapped[str] = mapped_column(String(200), default="")
    upload_stored: Mapped[str] = mapped_column(String(80), default="")
    saved_at: Mapped[datetime | None] = mapped_column()
    points: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    max_points: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(1))

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship(lazy="joined")


class Certificate(db.Model):
    __tablename__ = "quiz_certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # printed, with a QR code, on the PDF
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), unique=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    attempt: Mapped[Attempt] = relationship()


class ExtraAttempt(db.Model):
    """A trainer's exception: more attempts at a level for one trainee, with the reason."""

    __tablename__ = "quiz_extra_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("quiz_certifications.id"))
    count: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(String(300))
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User] = relationship(foreign_keys=[granted_by_id])
    certification: Mapped[Certification] = relationship()
