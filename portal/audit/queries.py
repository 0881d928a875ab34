"""Reading the audit trail: filtered pages for the viewer, exports and `portal audit list`, and the
walk that verifies the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select

from portal.audit import chain
from portal.audit.models import AuditEvent
from portal.extensions import db


@dataclass(frozen=True)
class Filters:
    actor: str = ""  # a user name
    subject: str = ""
    action: str = ""
    target: str = ""  # a prefix: "ticket:" or "ticket:12"
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive


def _filtered(filters: Filters) -> Select:
    stmt = select(AuditEvent)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_name == filters.actor.strip().lower())
    if filters.subject:
        stmt = stmt.where(AuditEvent.subject_name == filters.subject.strip().lower())
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action.strip())
    if filters.target:
        t = filters.target.strip()
        stmt = stmt.where(or_(AuditEvent.target == t, AuditEvent.target.startswith(t.rstrip(":") + ":")))
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEvent.at < filters.until)
    return stmt


def page(filters: Filters, page: int, per_page: int = 50):
    """One page of matching events, newest first (a Flask-SQLAlchemy pagination)."""
    return db.paginate(_filtered(filters).order_by(AuditEvent.id.desc()), page=page, per_page=per_page, error_out=False)


def newest(filters: Filters, limit: int) -> list[AuditEvent]:
    return list(db.session.scalars(_filtered(filters).order_by(AuditEvent.id.desc()).limit(limit)))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def as_dict(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "at": event.at.isoformat(timespec="seconds") + "Z",
        "action": event.action,
        "actor": event.actor_name or None,
        "subject": event.subject_name or None,
        "target": event.target or None,
        "ip": event.ip or None,
        "before": json.loads(event.before) if event.before else None,
        "after": json.loads(event.after) if event.after else None,
        "detail": json.loads(event.detail) if event.detail else None,
    }


def _rows(batch: int = 2000) -> Iterator[dict]:
    last = 0
    cols = [getattr(AuditEvent, k) for k in chain.FIELDS] + [AuditEvent.hash]
    while True:
        rows = db.session.execute(select(*cols).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)).all()
        if not rows:
            return
        for r in rows:
            yield r._asdict()
        last = rows[-1].id


@dataclass(frozen=True)
class Verdict:
    rows: int
    head: str  # the newest row's hash: write it down to detect a cut at the end
    broken: chain.Break | None


def verify() -> Verdict:
    count, head = 0, chain.GENESIS

    def counted():
        nonlocal count, head
        for row in _rows():
            count += 1
            head = row["hash"]
            yield row

    broken = chain.first_break(counted())
    return Verdict(rows=count, head=head, broken=broken)
