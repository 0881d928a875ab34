"""Tickets in the search index. A solved ticket support marked shareable is a past case every
signed-in employee finds; every other ticket is found only by its requester and support —
the visibility tokens go into the index, so the filter is part of the search itself."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from portal.extensions import db
from portal.search.documents import Source, make_key, register
from portal.tickets import access
from portal.tickets.models import Ticket
from portal.tickets.states import State

PREFIX = "ticket"
KIND = "case"


def visibility(ticket: Ticket) -> str:
    if ticket.shareable and ticket.state in (State.RESOLVED, State.CLOSED):
        return "internal"
    return f"user:{ticket.requester_id} tickets"


def _body(ticket: Ticket) -> str:
    return f"{ticket.description}\n{ticket.solution}".strip()


def stamp(ticket: Ticket) -> str:
    return _stamp(ticket.updated_at, ticket.version)


def _stamp(updated_at, version: int) -> str:
    return f"{updated_at:%Y%m%d%H%M%S%f}-{version}"


def _load(ids: list[int]) -> list[dict]:
    rows = db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)))
    return [
        {
            "key": make_key(PREFIX, t.id),
            "kind": KIND,
            "category": t.category.name,
            "visibility": visibility(t),
            "external_id": t.number,
            "title": t.title,
            "body": _body(t),
            "popularity": 0,
            "stamp": stamp(t),
        }
        for t in rows
    ]


def _stamps():
    rows = db.session.execute(select(Ticket.id, Ticket.updated_at, Ticket.version).order_by(Ticket.id))
    for ident, updated_at, version in rows:  # columns only: no joined people per ticket
        yield ident, _stamp(updated_at, version)


def _snippets(ids: list[int]) -> dict[int, dict]:
    rows = db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)))
    return {t.id: {"title": t.title, "text": _body(t), "url": url_for("tickets.show", ticket_id=t.id)} for t in rows}


def _readable(ident: int, viewer) -> dict | None:
    ticket = db.session.get(Ticket, ident)
    if ticket is None or not viewer.authenticated:
        return None
    if visibility(ticket) != "internal" and not (
        viewer.user_id == ticket.requester_id or access.is_agent(viewer.roles)
    ):
        return None
    return {"title": ticket.title, "url": url_for("tickets.show", ticket_id=ident)}


def register_source() -> None:
    register(Source(prefix=PREFIX, load=_load, stamps=_stamps, snippets=_snippets, readable=_readable))
