"""The review's state machine and who may make each move (pure)."""

import pytest

from portal.kb import workflow
from portal.kb.workflow import Move, Refusal, Status

AUTHOR, SECOND, ADMIN = 1, 2, 3


def refusal(move, status, actor=SECOND, *, curator=True, admin=False, submitted_by=AUTHOR, last_editor=AUTHOR):
    return workflow.refusal(
        move,
        status,
        actor_id=actor,
        is_curator=curator,
        is_admin=admin,
        submitted_by_id=submitted_by,
        last_editor_id=last_editor,
    )


@pytest.mark.parametrize(
    "status,move,after",
    [
        ("draft", "submit", Status.REVIEW),
        ("review", "publish", Status.PUBLISHED),
        ("draft", "publish", Status.PUBLISHED),
        ("review", "send_back", Status.DRAFT),
        ("published", "unpublish", Status.DRAFT),
        ("review", "submit", None),
        ("published", "publish", None),
        ("draft", "send_back", None),
        ("draft", "unpublish", None),
        ("draft", "delete", None),
        ("gone", "submit", None),
    ],
)
def test_transitions(status, move, after):
    assert workflow.next_status(status, move) == after


def test_a_second_curator_publishes_a_draft_waiting_for_review():
    assert refusal(Move.PUBLISH, "review", SECOND) is None
    assert refusal(Move.SEND_BACK, "review", SECOND) is None


def test_whoever_submitted_or_last_edited_may_not_review_it():
    assert refusal(Move.PUBLISH, "review", AUTHOR) == Refusal.OWN_WORK
    assert refusal(Move.SEND_BACK, "review", AUTHOR) == Refusal.OWN_WORK
    # a third curator edited it while it waited: that one does not publish it either
    assert refusal(Move.PUBLISH, "review", 4, last_editor=4) == Refusal.OWN_WORK
    assert refusal(Move.SEND_BACK, "review", 4, last_editor=4) is None  # asking for changes is fine


def test_only_administrators_publish_without_a_review_and_may_publish_their_own():
    assert refusal(Move.PUBLISH, "draft", SECOND) == Refusal.ADMIN_ONLY
    assert (
        refusal(Move.PUBLISH, "draft", ADMIN, curator=False, admin=True, submitted_by=None, last_editor=ADMIN) is None
    )
    assert refusal(Move.PUBLISH, "review", ADMIN, curator=False, admin=True, submitted_by=ADMIN) is None


def test_employees_make_no_move_and_a_move_from_the_wrong_state_is_refused():
    assert refusal(Move.SUBMIT, "draft", curator=False) == Refusal.NOT_CURATOR
    assert refusal(Move.SUBMIT, "review") == Refusal.WRONG_STATE
    assert refusal(Move.PUBLISH, "published", ADMIN, admin=True) == Refusal.WRONG_STATE


def test_allowed_moves_are_what_the_page_offers():
    kw = {"is_curator": True, "is_admin": False, "submitted_by_id": AUTHOR, "last_editor_id": AUTHOR}
    assert workflow.allowed_moves("draft", actor_id=AUTHOR, **kw) == [Move.SUBMIT]
    assert workflow.allowed_moves("review", actor_id=AUTHOR, **kw) == []
    assert workflow.allowed_moves("review", actor_id=SECOND, **kw) == [Move.PUBLISH, Move.SEND_BACK]
    assert workflow.allowed_moves("published", actor_id=SECOND, **kw) == [Move.UNPUBLISH]
    admin = {**kw, "is_curator": False, "is_admin": True}
    assert workflow.allowed_moves("draft", actor_id=ADMIN, **admin) == [Move.SUBMIT, Move.PUBLISH]
