"""Manual editions: one Manual row per edition of a title (a new one each quarter), exactly one
of them current. The current edition is searched by default; older ones stay readable at their
own URLs; a new edition starts as a draft copy of the current one that curators edit. This
module holds the editions' states, SQL conditions and reads; copying and publishing an edition
are services (`services.new_edition`, `services.publish_edition`).

An edition is in one of three states (see `state`):
    current   is_current                          searched by default
    older     not current, released_on set         readable by everyone, searched with edition=
    draft     not current, released_on not set     curators only, not indexed until published
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from portal.extensions import db
from portal.kb import rules
from portal.kb.models import Article, Manual

EDITION_MAX = 60
SEPARATOR = "@"  # copied chapters keep their external_id unique: demo-manual-01@2027Q1


def state(manual: Manual) -> str:
    if manual.is_current:
        return "current"
    return "older" if manual.released_on is not None else "draft"


def is_draft(manual: Manual | None) -> bool:
    return manual is not None and state(manual) == "draft"


def indexable():
    """SQL condition on Article (outer-joined to Manual): not a chapter of a draft edition."""
    return or_(Article.manual_id.is_(None), Manual.is_current.is_(True), Manual.released_on.is_not(None))


def current_or_loose():
    """SQL condition on Article (outer-joined to Manual): not a chapter of a non-current edition."""
    return or_(Article.manual_id.is_(None), Manual.is_current.is_(True))


def editions_of(manual: Manual, *, drafts: bool = True) -> list[Manual]:
    """Every edition of the manual's title, newest first."""
    rows = db.session.scalars(select(Manual).where(Manual.title == manual.title))
    found = [m for m in rows if drafts or state(m) != "draft"]
    return sorted(found, key=lambda m: (m.released_on is None, m.released_on or date.max, m.id), reverse=True)


def current_of(title: str) -> Manual | None:
    return db.session.scalar(
        select(Manual).where(Manual.title == title, Manual.is_current.is_(True)).order_by(Manual.id.desc()).limit(1)
    )


def find(edition: str, title: str | None = None) -> Manual | None:
    """The manual of an edition label (a quiz names the edition it was written for)."""
    query = select(Manual).where(Manual.edition == edition)
    if title:
        query = query.where(Manual.title == title)
    return db.session.scalar(query.order_by(Manual.is_current.desc(), Manual.id.desc()).limit(1))


def counterpart(chapter: Article, manual: Manual) -> Article | None:
    """The chapter at the same position in another edition, if it has one."""
    if chapter.manual_id == manual.id:
        return chapter
    return db.session.scalar(
        select(Article)
        .where(Article.manual_id == manual.id, Article.position == chapter.position)
        .order_by(Article.id)
        .limit(1)
    )


def copied_external_id(external_id: str | None, source_edition: str, edition: str) -> str | None:
    """demo-manual-01 (or demo-manual-01@2026Q4) copied into 2027Q1: demo-manual-01@2027Q1."""
    if not external_id:
        return None
    base = external_id
    if source_edition and base.endswith(SEPARATOR + source_edition):
        base = base[: -len(SEPARATOR + source_edition)]
    suffix = SEPARATOR + edition
    return base[: rules.EXTERNAL_ID_MAX - len(suffix)] + suffix
