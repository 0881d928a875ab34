"""Notifications join the caller's unit of work: a message exists exactly when the change it
reports was committed; marking read and opening one are units of work of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.services import NewUser, create_user
from portal.core.errors import Conflict
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notify import services
from portal.notify.models import Notification


@pytest.fixture
def people(app):
    with app.app_context():
        ids = [create_user(NewUser(username=n, password="Start#2026x")).id for n in ("ann", "bob")]
        db.session.remove()
    return ids


def _count(read: bool | None = None) -> int:
    db.session.remove()
    stmt = select(func.count(Notification.id))
    if read is not None:
        stmt = stmt.where(Notification.read_at.is_not(None) if read else Notification.read_at.is_(None))
    return db.session.scalar(stmt)


def test_notify_never_commits_on_its_own(app, people):
    with app.app_context():
        services.notify(people[0], "approval_todo", "A-1 · 采购", "/approvals/1")
        db.session.rollback()  # the caller's transaction ends without a commit
        assert _count() == 0


def test_a_message_is_kept_only_when_the_caller_commits(app, people):
    with app.app_context():
        with pytest.raises(Conflict), unit_of_work():
            services.notify(people[0], "approval_todo", "A-1 · 采购", "/approvals/1")
            db.session.flush()
            raise Conflict("the change it reports failed")
        assert _count() == 0
        with unit_of_work():
            services.notify(people[0], "approval_todo", "A-1 · 采购", "/approvals/1", important=True)
        assert _count() == 1


def test_opening_marks_read_and_follows_only_inside_links(app, people):
    ann, bob = people
    with app.app_context():
        with unit_of_work():
            inside = services.notify(ann, "approval_todo", "inside", "/approvals/1")
            outside = services.notify(ann, "approval_todo", "outside", "//evil.example/x")
            services.notify(ann, "approval_todo", "third", "/approvals/3")
        inside_id, outside_id = inside.id, outside.id
        assert services.open_notification(bob, inside_id) is None  # not bob's: nothing marked
        assert _count(read=True) == 0
        assert services.open_notification(ann, inside_id) == "/approvals/1"
        assert services.open_notification(ann, outside_id) == ""  # the view sends them to the list
        assert _count(read=True) == 2 and services.unread_count(ann) == 1
        assert services.mark_read(ann) == 1 and _count(read=False) == 0


def test_marking_read_inside_a_failing_unit_of_work_is_undone(app, people):
    ann = people[0]
    with app.app_context():
        with unit_of_work():
            services.notify(ann, "approval_todo", "inside", "/approvals/1")
        with pytest.raises(RuntimeError), unit_of_work():
            assert services.mark_read(ann) == 1
            raise RuntimeError("a later step fails")
        assert _count(read=False) == 1
