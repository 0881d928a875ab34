"""Writing and reading notifications.

`notify` never commits: it adds a row to the caller's unit of work (call it inside a service's
`unit_of_work`), so a message exists exactly when the change it reports was committed, and a
change that rolls back leaves no message behind. Marking read is a unit of work of its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from portal.core.clock import utcnow
from portal.core.uow import transactional
from portal.extensions import db
from portal.notify.models import Notification

TITLE_MAX = 200


def notify(
    user_id: int, kind: str, title: str, url: str = "", *, important: bool = False, now: datetime | None = None
) -> Notification:
    note = Notification(
        user_id=user_id,
        kind=kind,
        title=title[:TITLE_MAX],
        url=url[:300],
        important=important,
        created_at=now or utcnow(),
    )
    db.session.add(note)
    return note


def sent_before(user_id: int, kind: str, url: str) -> bool:
    """Whether this user was already told of this (a notice sent once, read or not)."""
    found = select(Notification.id).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.url == url[:300]
    )
    return db.session.scalar(found.limit(1)) is not None


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(user_id: int, page: int, per_page: int):
    return db.paginate(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.important.desc(), Notification.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


@transactional
def mark_read(user_id: int, note_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of this user read."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if note_id is not None:
        stmt = stmt.where(Notification.id == note_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


@transactional
def open_notification(user_id: int, note_id: int) -> str | None:
    """Mark this user's notification read and return where it leads (None: not theirs or gone).
    Only a path inside the portal is followed."""
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != user_id:
        return None
    mark_read(user_id, note_id)
    return note.url if note.url.startswith("/") and not note.url.startswith("//") else ""
