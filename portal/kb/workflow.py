"""An article's way to readers (pure): its states, the moves between them, who may make each move,
and why an article was drafted.

    draft ──submit──▶ review ──publish──▶ published
      ▲                 │                     │
      └────send back────┘                     │
      └──────────────unpublish────────────────┘
    draft ──publish (administrators only)──▶ published

A second person reviews: whoever submitted the draft, or wrote its latest version, may not publish
it nor send it back; administrators may publish any draft directly, their own too.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"  # submitted, waiting for a second curator
    PUBLISHED = "published"


class Move(StrEnum):
    SUBMIT = "submit"
    PUBLISH = "publish"
    SEND_BACK = "send_back"
    UNPUBLISH = "unpublish"


class Origin(StrEnum):
    """Why an article was drafted (shown to curators on the drafts desk)."""

    CURATOR = "curator"  # written in the editor
    TICKET = "ticket"  # "turn into a FAQ draft" on a solved ticket
    QUERY = "query"  # "write an article for this" on a zero-result search
    FEEDBACK = "feedback"  # readers answered "not solved" on another article
    IMPORT = "import"  # `portal import-kb` (published at once, as before)


class Refusal(StrEnum):
    """Why a move is refused (the services turn these into messages)."""

    NOT_CURATOR = "not_curator"
    WRONG_STATE = "wrong_state"
    OWN_WORK = "own_work"  # a second person reviews
    ADMIN_ONLY = "admin_only"  # publishing without review


TRANSITIONS: dict[tuple[Status, Move], Status] = {
    (Status.DRAFT, Move.SUBMIT): Status.REVIEW,
    (Status.REVIEW, Move.PUBLISH): Status.PUBLISHED,
    (Status.DRAFT, Move.PUBLISH): Status.PUBLISHED,  # administrators only
    (Status.REVIEW, Move.SEND_BACK): Status.DRAFT,
    (Status.PUBLISHED, Move.UNPUBLISH): Status.DRAFT,
}
UNPUBLISHED = (Status.DRAFT, Status.REVIEW)  # what the drafts desk lists
NOTE_MAX = 500  # a reviewer's comment when sending a draft back


def next_status(status: str, move: str) -> Status | None:
    """The state after `move`, or None when the move does not start from `status`."""
    try:
        return TRANSITIONS.get((Status(status), Move(move)))
    except ValueError:
        return None


def refusal(
    move: str,
    status: str,
    *,
    actor_id: int,
    is_curator: bool,
    is_admin: bool,
    submitted_by_id: int | None,
    last_editor_id: int | None,
) -> Refusal | None:
    """None when this person may make `move` on an article in `status`, else why not."""
    if not (is_curator or is_admin):
        return Refusal.NOT_CURATOR
    if next_status(status, move) is None:
        return Refusal.WRONG_STATE
    if is_admin:
        return None
    if move == Move.PUBLISH and status == Status.DRAFT:
        return Refusal.ADMIN_ONLY
    if move == Move.PUBLISH and actor_id in (submitted_by_id, last_editor_id):
        return Refusal.OWN_WORK
    if move == Move.SEND_BACK and actor_id == submitted_by_id:
        return Refusal.OWN_WORK
    return None


def allowed_moves(
    status: str,
    *,
    actor_id: int,
    is_curator: bool,
    is_admin: bool,
    submitted_by_id: int | None,
    last_editor_id: int | None,
) -> list[Move]:
    """The moves this person may make now, in the order the page offers them."""
    return [
        move
        for move in Move
        if refusal(
            move,
            status,
            actor_id=actor_id,
            is_curator=is_curator,
            is_admin=is_admin,
            submitted_by_id=submitted_by_id,
            last_editor_id=last_editor_id,
        )
        is None
    ]
