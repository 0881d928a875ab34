"""Writing and reading notifications. `notify` only adds to the caller's transaction, so a
message exists exactly when the change it reports was committed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from portal.core.clock import utcnow
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


def mark_read(user_id: int, note_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of this user read."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if note_id is not None:
        stmt = stmt.where(Notification.id == note_id)
    count = db.session.execute(stmt.values(read_at=utcnow())).rowcount
    db.session.commit()
    return count
