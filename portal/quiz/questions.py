"""The question bank's transactions: saving a question from the form (checked by
bank.clean_question, its article references resolved, its number 编号 unique, a number given when
there is none), retiring and reactivating one. The Excel import (xlsx.py) stores its rows through
the same `store_question` steps inside its own unit of work."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.kb.models import Article
from portal.quiz import bank
from portal.quiz.models import Question


def find_articles(refs: Iterable[int | str]) -> tuple[dict[str, int], set[int]]:
    """The articles some references name: (external id → id, ids that exist)."""
    refs = list(refs)
    ids = [r for r in refs if isinstance(r, int)]
    names = [str(r) for r in refs]
    if not refs:
        return {}, set()
    rows = db.session.execute(
        select(Article.id, Article.external_id).where(or_(Article.id.in_(ids), Article.external_id.in_(names)))
    ).all()
    return {e: i for i, e in rows if e}, {i for i, _e in rows}


def unknown_articles(missing: list[str]) -> str:
    return _("No FAQ or manual chapter %(refs)s.", refs=", ".join(missing))


def give_number(q: Question) -> None:
    """A question typed in the portal without a number gets Q00012 (its id), so a round trip
    through Excel updates it instead of copying it."""
    if q.external_id:
        return
    db.session.flush()
    candidate, n = f"Q{q.id:05d}", 1
    while db.session.scalar(select(Question.id).where(Question.external_id == candidate)) is not None:
        n += 1
        candidate = f"Q{q.id:05d}-{n}"
    q.external_id = candidate


def store_question(values: dict, user: User | None, question: Question | None = None) -> Question:
    """Store one cleaned question (new when `question` is None); InvalidInput when an article
    reference is unknown or the 编号 belongs to another question. Runs inside the caller's unit
    of work (save_question, the Excel import)."""
    errors = {}
    by_external, ids = find_articles(values["article_refs"])
    article_ids, missing = bank.resolve_refs(values["article_refs"], by_external, ids)
    if missing:
        errors["articles"] = unknown_articles(missing)
    if values["external_id"]:
        owner = db.session.scalar(select(Question.id).where(Question.external_id == values["external_id"]))
        if owner is not None and (question is None or owner != question.id):
            errors["external_id"] = _(
                "Number %(value)s is already used by another question.", value=values["external_id"]
            )
    if errors:
        raise InvalidInput(errors)
    now = utcnow()
    if question is None:
        question = Question(created_by_id=user.id if user else None, created_at=now)
        db.session.add(question)
    bank.apply(question, values, article_ids)
    question.updated_at = now
    give_number(question)
    return question


def save_question(raw: dict, user: User | None, question: Question | None = None, *, stamp: str = "") -> Question:
    """The form, as typed (`raw` as bank.clean_question reads it), stored as one unit of work: a new
    question when `question` is None. `stamp` is the question's change time when the form was
    opened; someone else's save since then is a Conflict. A bad field anywhere stores nothing."""
    if question is not None and stamp and question.updated_at and stamp != question.updated_at.isoformat():
        raise Conflict(
            _(
                "Someone changed this question while you were editing it. Open it again to see their version; "
                "your text is still in the form."
            )
        )
    values, errors = bank.clean_question(raw)
    if errors:
        raise InvalidInput(errors)
    with unit_of_work():
        return store_question(values, user, question)


def toggle_question(question: Question) -> Question:
    """Retire an active question (new papers no longer draw it; papers already drawn keep it) or
    reactivate a retired one. A question is never deleted."""
    with unit_of_work():
        question.active = not question.active
        question.updated_at = utcnow()
    return question
