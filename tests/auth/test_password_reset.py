"""Self-service reset by an e-mailed link, read from a real SMTP server (tests/mailbox.py): one
answer whatever was typed, a link that works once and for 30 minutes, the policy on the new one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal.auth import recovery
from portal.auth.models import PasswordReset, User
from portal.core import clock
from portal.extensions import db
from tests import factories as f
from tests.conftest import csrf_from

NEW = "Fresh#2027pass"
T0 = datetime(2027, 1, 4, 1, 0)
LINK = re.compile(r"https?://[^\s\"<>]+/password/reset/[A-Za-z0-9_\-]+")


@pytest.fixture(autouse=True)
def world(db_app, db_client, mailbox):
    mailbox.configure(db_app)
    db_client.set_cookie("portal_lang", "en")
    f.user("zhangwei", display_name="张伟", email="zhangwei@example.com.cn")
    f.user("lina", display_name="李娜", email="Shared@Example.com")
    f.user("linhui", display_name="林辉", email="shared@example.com")
    f.user("nomail", email="")
    f.user("gone", email="gone@example.com", active=False)
    db.session.commit()


def user(name: str = "zhangwei") -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


def ask(client, auth, login: str):
    return client.post("/password/forgot", data={"login": login, "csrf_token": auth.csrf("/password/forgot")})


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [url] = LINK.findall(text)
    assert f'href="{url}"' in html
    parts = urlsplit(url)
    return parts.path


def set_new(client, path: str, new: str = NEW, repeat: str | None = None):
    token = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    return client.post(path, data={"new": new, "repeat": new if repeat is None else repeat, "csrf_token": token})


def test_the_sign_in_page_links_to_the_reset(db_client):
    page = db_client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page


def test_the_whole_way_mail_link_new_password_sign_in(db_client, db_auth, mailbox):
    with clock.frozen(T0):
        response = ask(db_client, db_auth, "zhangwei")
    assert response.status_code == 303 and response.location == "/password/forgot?sent=1"
    sent_page = db_client.get(response.location).get_data(as_text=True)
    assert "a link to set a new password is on its way" in sent_page
    [msg] = mailbox.messages
    assert msg["To"] == "zhangwei@example.com.cn" and msg["Subject"] == "Reset your OA Help Centre password"
    body = msg.get_body(("plain",)).get_content()
    assert "Hello 张伟," in body and "zhangwei" in body and "valid for 30 minutes" in body
    path = link_in(msg)
    with clock.frozen(T0 + timedelta(minutes=10)):
        page = db_client.get(path)
        assert page.status_code == 200 and "For the account zhangwei (张伟)." in page.get_data(as_text=True)
        assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
        done = set_new(db_client, path)
    assert done.status_code == 303 and done.location == "/login"
    assert check_password_hash(user().password_hash, NEW)
    assert db_auth.login("zhangwei", f.PASSWORD).status_code == 422
    assert db_auth.login("zhangwei", NEW).status_code == 303


def test_the_link_works_once(db_client, db_auth, mailbox):
    ask(db_client, db_auth, "zhangwei")
    path = link_in(mailbox.messages[0])
    assert set_new(db_client, path).status_code == 303
    again = db_client.get(path)
    assert again.status_code == 410 and "no longer valid" in again.get_data(as_text=True)
    token = db_auth.csrf("/password/forgot")
    reuse = db_client.post(path, data={"new": "Other#2027pass", "repeat": "Other#2027pass", "csrf_token": token})
    assert reuse.status_code == 410
    assert check_password_hash(user().password_hash, NEW)


def test_the_link_expires_after_30_minutes(db_client, db_auth, mailbox):
    with clock.frozen(T0):
        ask(db_client, db_auth, "zhangwei")
    path = link_in(mailbox.messages[0])
    with clock.frozen(T0 + timedelta(minutes=29, seconds=59)):
        assert db_client.get(path).status_code == 200
    with clock.frozen(T0 + timedelta(minutes=30)):
        assert db_client.get(path).status_code == 410
        assert set_new(db_client, path).status_code == 410
    assert check_password_hash(user().password_hash, f.PASSWORD)


def test_the_validity_is_configurable(db_app, db_client, db_auth, mailbox):
    db_app.config["PASSWORD_RESET_MINUTES"] = 5
    with clock.frozen(T0):
        ask(db_client, db_auth, "zhangwei")
    assert "valid for 5 minutes" in mailbox.messages[0].get_body(("plain",)).get_content()
    with clock.frozen(T0 + timedelta(minutes=5)):
        assert db_client.get(link_in(mailbox.messages[0])).status_code == 410


def test_a_newer_link_ends_the_earlier_one(db_client, db_auth, mailbox):
    ask(db_client, db_auth, "zhangwei")
    ask(db_client, db_auth, "zhangwei@example.com.cn")
    first, second = (link_in(m) for m in mailbox.messages)
    assert first != second
    assert db_client.get(first).status_code == 410
    assert db_client.get(second).status_code == 200


def test_a_new_password_by_any_path_ends_open_links(db_client, db_auth, mailbox):
    from portal.auth import services

    ask(db_client, db_auth, "zhangwei")
    u = user()
    services.set_password(u, "Chosen#2027pass", by=u, initial=False)
    db.session.commit()
    assert db_client.get(link_in(mailbox.messages[0])).status_code == 410


def test_only_the_hash_of_the_token_is_stored(db_client, db_auth, mailbox):
    ask(db_client, db_auth, "zhangwei")
    token = link_in(mailbox.messages[0]).rsplit("/", 1)[1]
    [row] = db.session.scalars(select(PasswordReset))
    assert len(token) >= 40 and token not in row.token_hash and len(row.token_hash) == 64


def test_the_policy_applies_and_a_refused_password_keeps_the_link(db_client, db_auth, mailbox):
    ask(db_client, db_auth, "zhangwei")
    path = link_in(mailbox.messages[0])
    weak = set_new(db_client, path, "zhangwei1")
    body = weak.get_data(as_text=True)
    assert weak.status_code == 422
    assert "The password needs at least one special character" in body
    assert "The password must not contain the user name." in body
    reused = set_new(db_client, path, f.PASSWORD)  # the current one
    assert reused.status_code == 422 and "used recently" in reused.get_data(as_text=True)
    mismatch = set_new(db_client, path, NEW, NEW + "!")
    assert mismatch.status_code == 422 and "not the same" in mismatch.get_data(as_text=True)
    assert set_new(db_client, path).status_code == 303


def test_a_reset_ends_a_sign_in_lock(db_client, db_auth, mailbox):
    with clock.frozen(T0):
        for _ in range(5):
            db_auth.login("zhangwei", "Wrong#1pass")
        assert db_auth.login("zhangwei").status_code == 429
        ask(db_client, db_auth, "zhangwei")
        set_new(db_client, link_in(mailbox.messages[0]))
        assert db_auth.login("zhangwei", NEW).status_code == 303


def test_a_reset_link_clears_an_initial_password(db_client, db_auth, mailbox):
    u = user()
    u.must_change_password = True
    db.session.commit()
    ask(db_client, db_auth, "zhangwei")
    set_new(db_client, link_in(mailbox.messages[0]))
    assert not user().must_change_password


# --- nothing tells which accounts exist -------------------------------------------------------


@pytest.mark.parametrize(
    "login", ["zhangwei", "ZhangWei ", "zhangwei@example.com.cn", "ghost", "nomail", "gone", "x@y.z"]
)
def test_the_same_answer_whatever_was_typed(db_client, db_auth, login):
    response = ask(db_client, db_auth, login)
    assert response.status_code == 303 and response.location == "/password/forgot?sent=1"


def test_only_real_active_accounts_with_an_address_get_mail(db_client, db_auth, mailbox):
    for login in ("ghost", "nomail", "gone", "gone@example.com", "x@y.z"):
        ask(db_client, db_auth, login)
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0


def test_an_address_shared_by_two_accounts_gets_a_link_for_each(db_client, db_auth, mailbox):
    ask(db_client, db_auth, "SHARED@example.com")
    assert sorted(m["To"] for m in mailbox.messages) == ["Shared@Example.com", "shared@example.com"]
    bodies = [m.get_body(("plain",)).get_content() for m in mailbox.messages]
    assert any("lina" in b for b in bodies) and any("linhui" in b for b in bodies)


def test_unknown_names_cost_the_same_work(db_app, db_client, db_auth, monkeypatch):
    """The code path, not the clock: the message is rendered for an unknown name too."""
    rendered = []
    original = recovery._reset_mail
    monkeypatch.setattr(recovery, "_reset_mail", lambda u, *a: rendered.append(u and u.username) or original(u, *a))
    ask(db_client, db_auth, "ghost")
    ask(db_client, db_auth, "zhangwei")
    assert rendered == [None, "zhangwei"]


def test_an_empty_field_is_422_and_sends_nothing(db_client, db_auth, mailbox):
    response = db_client.post("/password/forgot", data={"login": "", "csrf_token": db_auth.csrf("/password/forgot")})
    assert response.status_code == 422 and "Type your user name or e-mail address." in response.get_data(as_text=True)
    assert mailbox.messages == []


@pytest.mark.parametrize("token", ["nope", "x" * 43, "y" * 500])
def test_made_up_links_are_refused(db_client, token):
    response = db_client.get(f"/password/reset/{token}")
    assert response.status_code == 410 and 'href="/password/forgot"' in response.get_data(as_text=True)


# --- the language and the link's host ---------------------------------------------------------


def test_the_mail_is_in_the_language_of_the_page_chinese_by_default(db_client, db_auth, mailbox):
    db_client.delete_cookie("portal_lang")
    ask(db_client, db_auth, "zhangwei")
    [msg] = mailbox.messages
    assert '<html lang="zh-CN">' in msg.get_body(("html",)).get_content()
    db_client.set_cookie("portal_lang", "ja")
    ask(db_client, db_auth, "zhangwei")
    assert '<html lang="ja">' in mailbox.messages[1].get_body(("html",)).get_content()


def test_the_link_uses_the_configured_base_url_not_the_request_host(db_app, mailbox):
    def link_when_asked_via(host: str) -> str:
        with db_app.test_request_context("/password/forgot", method="POST", base_url=f"http://{host}"):
            recovery.request_password_reset("zhangwei", locale="en")
        return LINK.search(mailbox.messages[-1].get_body(("plain",)).get_content()).group(0)

    assert link_when_asked_via("oa.intranet").startswith("http://oa.intranet/password/reset/")  # embedded setup
    db_app.config["BASE_URL"] = "https://oa.example.com/"
    assert link_when_asked_via("evil.example").startswith("https://oa.example.com/password/reset/")
