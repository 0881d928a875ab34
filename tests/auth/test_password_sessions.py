"""A new password ends sessions (the other ones for your own change; all of them after a reset)
and every password act is in the audit trail."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import services
from portal.auth.models import User
from portal.extensions import db
from tests import factories as f
from tests.conftest import Auth

NEW = "Fresh#2027pass"
LINK = re.compile(r"https?://[^\s\"<>]+(/password/reset/[A-Za-z0-9_\-]+)")


@pytest.fixture(autouse=True)
def world(db_app, mailbox):
    mailbox.configure(db_app)
    f.user("zhangwei", display_name="张伟")
    f.user("admin", roles=["admin"])
    db.session.commit()


def user(name: str = "zhangwei") -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


def browser(db_app, username: str | None = "zhangwei", password: str = f.PASSWORD):
    client = db_app.test_client()
    client.set_cookie("portal_lang", "en")
    if username:
        assert Auth(client).login(username, password).status_code == 303
    return client


def me(client) -> int:
    return client.get("/api/v1/me").status_code


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_changing_your_password_ends_your_other_sessions_only(db_app):
    here, elsewhere = browser(db_app), browser(db_app)
    other_person = browser(db_app, "admin")
    response = here.post(
        "/password",
        data={"current": f.PASSWORD, "new": NEW, "repeat": NEW, "csrf_token": Auth(here).csrf("/password")},
    )
    assert response.status_code == 303
    assert me(here) == 200 and me(elsewhere) == 401 and me(other_person) == 200
    [event] = events("password_changed")
    assert event.actor_name == event.subject_name == "zhangwei" and event.target == "user:zhangwei"
    assert json.loads(event.detail) == {"initial": False}
    assert events("sessions_revoked")[0].subject_name == "zhangwei"


def test_a_wrong_current_password_is_recorded_as_a_failed_sign_in(db_app):
    here = browser(db_app)
    here.post(
        "/password",
        data={"current": "Wrong#1pass", "new": NEW, "repeat": NEW, "csrf_token": Auth(here).csrf("/password")},
    )
    [failed] = events("sign_in_failed")
    assert failed.subject_name == "zhangwei" and json.loads(failed.detail) == {"reason": "current_password"}


def test_a_refused_change_ends_nothing_and_records_nothing(db_app):
    here, elsewhere = browser(db_app), browser(db_app)
    here.post(
        "/password",
        data={"current": f.PASSWORD, "new": "weak", "repeat": "weak", "csrf_token": Auth(here).csrf("/password")},
    )
    assert me(here) == 200 and me(elsewhere) == 200 and events("password_changed") == []


def test_a_reset_by_link_ends_every_session(db_app, mailbox):
    signed_in = browser(db_app)
    anonymous = browser(db_app, None)
    anonymous.post(
        "/password/forgot", data={"login": "zhangwei", "csrf_token": Auth(anonymous).csrf("/password/forgot")}
    )
    [requested] = events("password_reset_requested")
    assert requested.subject_name == "zhangwei" and requested.actor_id is None
    path = LINK.search(mailbox.messages[0].get_body(("plain",)).get_content()).group(1)
    token = Auth(anonymous).csrf("/password/forgot")
    assert anonymous.post(path, data={"new": NEW, "repeat": NEW, "csrf_token": token}).status_code == 303
    assert me(signed_in) == 401
    [reset] = events("password_reset")
    assert reset.subject_name == "zhangwei" and reset.target == "user:zhangwei"


def test_nothing_is_recorded_for_names_that_match_no_account(db_app):
    anonymous = browser(db_app, None)
    anonymous.post("/password/forgot", data={"login": "ghost", "csrf_token": Auth(anonymous).csrf("/password/forgot")})
    assert events("password_reset_requested") == []


def test_an_admin_reset_ends_every_session_and_is_recorded(db_app):
    signed_in = browser(db_app)
    admin = user("admin")
    one_time = services.reset_password(user(), by=admin)
    db.session.commit()
    assert me(signed_in) == 401
    [event] = events("password_admin_reset")
    assert event.actor_name == "admin" and event.subject_name == "zhangwei"
    assert json.loads(event.detail) == {"initial": True} and one_time not in event.detail


def test_the_command_line_reset_is_recorded_without_an_actor(db_app):
    db_app.test_cli_runner().invoke(args=["users", "reset-password", "zhangwei"])
    [event] = events("password_admin_reset")
    assert event.actor_id is None and event.subject_name == "zhangwei"


def test_the_audit_chain_still_verifies(db_app, mailbox):
    here = browser(db_app)
    here.post(
        "/password",
        data={"current": f.PASSWORD, "new": NEW, "repeat": NEW, "csrf_token": Auth(here).csrf("/password")},
    )
    services.reset_password(user(), by=user("admin"))
    db.session.commit()
    result = db_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
