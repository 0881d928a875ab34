"""Server-side sign-in sessions: a copied cookie is worthless once its session ended (sign-out,
idle timeout, sign out everywhere, a closed account), and sign-in starts a new session and CSRF token."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import SignInSession, User
from portal.core.errors import NotFound
from portal.extensions import db
from tests import factories as f
from tests.conftest import IsolatedClient, csrf_from
from tests.factories import Clock

T0 = datetime(2027, 3, 1, 1, 0)


@pytest.fixture(autouse=True)
def world(db_app):
    f.user("zhangwei", display_name="张伟")
    f.user("lina", display_name="李娜")
    f.user("admin1", roles=["admin"])
    db.session.commit()


def sign_in(client, username="zhangwei", remember=False):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    data = {"username": username, "password": f.PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    r = client.post("/login", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    return r


def me(client) -> int:
    return client.get("/api/v1/me").status_code


def copy_of(db_app, client, *names) -> IsolatedClient:
    """Another browser holding copies of these cookies of `client`."""
    other = db_app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value)
    return other


def test_after_sign_out_a_copied_session_cookie_and_remember_me_cookie_are_refused(db_app, db_client):
    sign_in(db_client, remember=True)
    session_copy = copy_of(db_app, db_client, "session")
    remember_copy = copy_of(db_app, db_client, "remember_token")
    assert me(session_copy) == 200 and me(remember_copy) == 200
    page = db_client.get("/").get_data(as_text=True)
    assert db_client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 303
    assert me(db_client) == 401
    assert me(session_copy) == 401
    assert me(remember_copy) == 401


def test_the_cookies_carry_a_key_not_the_user_id_and_differ_at_every_sign_in(db_app, db_client):
    sign_in(db_client, remember=True)
    first = db_client.get_cookie("remember_token").value
    user = db.session.scalar(select(User).where(User.username == "zhangwei"))
    assert not first.startswith(f"{user.id}|")
    other = db_app.test_client()
    sign_in(other, remember=True)
    assert other.get_cookie("remember_token").value != first
    assert len(sessions.active_for(user)) == 2


def test_an_old_style_cookie_with_a_user_id_is_refused(db_app, db_client):
    user = db.session.scalar(select(User).where(User.username == "zhangwei"))
    with db_client.session_transaction() as s:
        s["_user_id"] = str(user.id)
        s["_fresh"] = True
    assert me(db_client) == 401


def test_sign_in_gives_a_new_session_and_a_new_csrf_token(db_client):
    before = csrf_from(db_client.get("/login").get_data(as_text=True))
    with db_client.session_transaction() as s:
        s["planted"] = "by someone else"  # a session fixed before sign-in does not survive it
    sign_in(db_client)
    after = csrf_from(db_client.get("/").get_data(as_text=True))
    assert after != before
    with db_client.session_transaction() as s:
        assert "planted" not in s
    # the token from before sign-in no longer works for a write
    assert db_client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert me(db_client) == 200


def test_an_idle_session_ends_and_a_remembered_one_lasts_its_days(db_app):
    plain, remembered = db_app.test_client(), db_app.test_client()
    c = db_app.config["CLOCK"] = Clock(T0)
    sign_in(plain)
    sign_in(remembered, remember=True)
    c.move(minutes=119)
    assert me(plain) == 200  # and this request counts as activity
    c.move(minutes=119)
    assert me(plain) == 200
    c.move(minutes=121)
    assert me(plain) == 401
    assert me(remembered) == 200
    c.move(days=30)
    assert me(remembered) == 401
    ended = db.session.scalars(select(SignInSession.end_reason)).all()
    assert sorted(ended) == ["expired", "expired"]


def test_sign_out_everywhere_ends_every_session_and_keep_current_spares_one(db_app):
    a, b, c = (db_app.test_client() for _ in range(3))
    for client in (a, b, c):
        sign_in(client)
    user = db.session.scalar(select(User).where(User.username == "zhangwei"))
    assert sessions.sign_out_everywhere(user, by=user) == 3
    assert [me(x) for x in (a, b, c)] == [401, 401, 401]
    for client in (a, b):
        sign_in(client)
    assert len(sessions.active_for(user)) == 2


def test_one_session_is_ended_by_its_owner_or_an_admin_only(db_app):
    a = db_app.test_client()
    sign_in(a)
    user = db.session.scalar(select(User).where(User.username == "zhangwei"))
    lina = db.session.scalar(select(User).where(User.username == "lina"))
    admin = db.session.scalar(select(User).where(User.username == "admin1"))
    (row,) = sessions.active_for(user)
    with pytest.raises(NotFound):
        sessions.revoke(row.id, by=lina)
    assert me(a) == 200
    sessions.revoke(row.id, by=admin)
    assert me(a) == 401


def test_a_closed_account_loses_its_open_sessions(db_app, db_client):
    sign_in(db_client)
    db.session.execute(db.update(User).where(User.username == "zhangwei").values(active=False))
    db.session.commit()
    assert me(db_client) == 401


def test_sign_in_and_sign_out_are_audited(db_app, db_client):
    from portal.audit.models import AuditEvent

    sign_in(db_client)
    db_client.post("/logout", data={"csrf_token": csrf_from(db_client.get("/").get_data(as_text=True))})
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["sign_in", "sign_out"]
