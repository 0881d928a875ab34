"""The seam through which the drafts desk learns about the tickets its drafts came from.

The ticket desk registers a reader at start-up (`register_ticket_briefs`); kb never reads the
tickets' tables. Without one registered (kb alone), a ticket's draft shows only its number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TicketBrief:
    """What a curator needs beside a draft made from a ticket: the problem and its solution."""

    id: int
    title: str
    solution: str
    state: str


_ticket_briefs: Callable[[list[int]], dict[int, TicketBrief]] | None = None


def register_ticket_briefs(reader: Callable[[list[int]], dict[int, TicketBrief]]) -> None:
    global _ticket_briefs
    _ticket_briefs = reader


def ticket_briefs(ids: Iterable[int | None]) -> dict[int, TicketBrief]:
    wanted = sorted({i for i in ids if i})
    if not wanted or _ticket_briefs is None:
        return {}
    return _ticket_briefs(wanted)
