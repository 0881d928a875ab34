"""Recording acts in the audit trail. `record` joins the caller's unit of work, so the act and its
record are committed together or not at all; `record_now` is its own unit of work for acts whose
own writes may fail (a refused sign-in)."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select, text

from portal.audit import chain
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.uow import transactional
from portal.extensions import db

# A fixed key for PostgreSQL's transaction-level advisory lock: one writer of the chain at a time.
_CHAIN_LOCK = 0x6175646974  # "audit"


def record(
    action: str,
    *,
    actor: User | None = None,
    subject: User | None = None,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add one event to the open transaction, chained to the newest row. The row is written first
    (on SQLite that takes the database's write lock), then the newest earlier row is read under
    that lock — on PostgreSQL under an advisory lock held to commit — so two writers never chain
    to the same predecessor."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    event = AuditEvent(
        at=now or utcnow(),
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        subject_id=subject.id if subject is not None else None,
        subject_name=subject.username if subject is not None else "",
        target=target[:120],
        ip=(ip if ip is not None else _client_ip())[:45],
        before=chain.canonical(before),
        after=chain.canonical(after),
        detail=chain.canonical(detail),
    )
    session.add(event)
    session.flush()
    previous = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.id < event.id).order_by(AuditEvent.id.desc()).limit(1)
    )
    event.prev_hash = previous or chain.GENESIS
    event.hash = chain.digest(_row(event))
    return event


@transactional
def record_now(action: str, **kw) -> AuditEvent:
    return record(action, **kw)


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _client_ip() -> str:
    return (request.remote_addr or "") if has_request_context() else ""


def _row(event: AuditEvent) -> dict:
    return {k: getattr(event, k) for k in chain.FIELDS}


EXPORT_MAX = 100_000


@transactional
def export_workbook(filters, *, by: User, tz) -> bytes:
    """The filtered trail as .xlsx (newest first, at most EXPORT_MAX rows); the export is itself
    recorded, with the filters it used."""
    from portal.audit import export, queries

    events = queries.newest(filters, EXPORT_MAX)
    data = export.workbook(events, tz)
    shown = {k: v for k, v in vars(filters).items() if v}
    record("export", actor=by, target="audit", detail={"what": "audit", "rows": len(events), "filters": shown})
    return data


@transactional
def record_view(action: str, *, actor: User, subject: User | None, target: str) -> AuditEvent | None:
    """Someone opened another person's data ("support viewing employee data"): recorded every
    time, in its own unit of work; opening one's own data is not recorded."""
    if subject is None or actor.id == subject.id:
        return None
    return record(action, actor=actor, subject=subject, target=target)
