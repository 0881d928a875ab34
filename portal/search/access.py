"""Who may see which index documents (pure): the filter goes inside the search query."""

from __future__ import annotations

from portal.core.viewer import ANONYMOUS, Viewer

__all__ = ["ANONYMOUS", "TICKET_READERS", "Viewer", "visibility_tokens"]
TICKET_READERS = frozenset({"support", "engineer", "senior_engineer", "admin"})


def visibility_tokens(viewer: Viewer) -> list[str]:
    """Index `visibility` values this viewer may read."""
    if not viewer.authenticated:
        return ["public"]
    tokens = ["public", "internal"]
    if viewer.user_id is not None:
        tokens.append(f"user:{viewer.user_id}")
    if viewer.roles & {"curator", "admin"}:
        tokens.append("staff")
    if viewer.roles & TICKET_READERS:
        tokens.append("tickets")  # every ticket, also those not shared as past cases
    return tokens
