"""Manual editions: one Manual row per edition of a title (a new one each quarter), exactly one
of them current. The current edition is searched by default; older ones stay readable at their
own URLs; a new edition starts as a draft copy of the current one that curators edit.

An edition is in one of three states (see `state`):
    current   is_current                          searched by default
    older     not current, released_on set         readable by everyone, searched with edition=
    draft     not current, released_on not set     curators only, not indexed until published
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.extensions import db
from portal.kb import rules
from portal.kb.models import Article, Manual
from portal.search import queue
from portal.search.documents import make_key

PREFIX = "article"
EDITION_MAX = 60
SEPARATOR = "@"  # copied chapters keep their external_id unique: demo-manual-01@2027Q1


class EditionError(ValueError):
    pass


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


def _queue_chapters(manuals: list[Manual]) -> None:
    ids = db.session.scalars(select(Article.id).where(Article.manual_id.in_([m.id for m in manuals])))
    queue.mark_dirty(make_key(PREFIX, i) for i in ids)


def publish_edition(manual: Manual, released_on: date | None = None) -> Manual:
    """Make `manual` the current edition of its title, in one transaction: every other edition of
    the title stops being current; the chapters of all of them are queued for reindexing."""
    today = utcnow().date()
    others = list(
        db.session.scalars(select(Manual).where(Manual.title == manual.title, Manual.id != manual.id).with_for_update())
    )
    for other in others:
        if other.is_current and other.released_on is None:  # a pre-editions manual: now an older one
            other.released_on = other.created_at.date() if other.created_at else today
        other.is_current = False
    manual.is_current = True
    manual.released_on = released_on or manual.released_on or today
    db.session.flush()
    _queue_chapters([manual, *others])
    db.session.commit()
    queue.kick()
    _completion_changed()
    return manual


set_current = publish_edition


def _validate_label(title: str, edition: str) -> str:
    edition = " ".join((edition or "").split())
    if not edition:
        raise EditionError(_("An edition needs a name, e.g. 2027Q1."))
    if len(edition) > EDITION_MAX:
        raise EditionError(_("An edition name may have at most %(n)d characters.", n=EDITION_MAX))
    if db.session.scalar(select(Manual.id).where(Manual.title == title, Manual.edition == edition)):
        raise EditionError(_("This manual already has an edition %(edition)s.", edition=edition))
    return edition


def copied_external_id(external_id: str | None, source_edition: str, edition: str) -> str | None:
    """demo-manual-01 (or demo-manual-01@2026Q4) copied into 2027Q1: demo-manual-01@2027Q1."""
    if not external_id:
        return None
    base = external_id
    if source_edition and base.endswith(SEPARATOR + source_edition):
        base = base[: -len(SEPARATOR + source_edition)]
    suffix = SEPARATOR + edition
    return base[: rules.EXTERNAL_ID_MAX - len(suffix)] + suffix


def new_edition(source: Manual, edition: str, *, author: User | None = None) -> Manual:
    """A draft edition copying `source`'s chapters; curators edit it, then publish it."""
    edition = _validate_label(source.title, edition)
    copy = Manual(title=source.title, edition=edition, released_on=None, is_current=False)
    db.session.add(copy)
    now = utcnow()
    taken = set()
    for chapter in source.chapters:
        external_id = copied_external_id(chapter.external_id, source.edition, edition)
        if external_id is not None and (
            external_id in taken or db.session.scalar(select(Article.id).where(Article.external_id == external_id))
        ):
            raise EditionError(_("A chapter with the external id %(id)s already exists.", id=external_id))
        taken.add(external_id)
        db.session.add(
            Article(
                kind="manual",
                manual=copy,
                position=chapter.position,
                title=chapter.title,
                body=chapter.body,
                body_text=chapter.body_text,
                category_id=chapter.category_id,
                visibility=chapter.visibility,
                published=chapter.published,
                external_id=external_id,
                author=author or chapter.author,
                created_at=now,
                updated_at=now,
            )
        )
    db.session.commit()  # a draft is not indexed: nothing to queue until it is published
    return copy


def _completion_changed() -> None:
    from portal.search import completion

    completion.invalidate()
