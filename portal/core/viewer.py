"""Who is looking: the plain value access rules take instead of the request's user."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    authenticated: bool = False
    user_id: int | None = None
    roles: frozenset[str] = frozenset()


ANONYMOUS = Viewer()
