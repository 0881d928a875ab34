"""Signing in with a second step: TOTP codes (right, wrong, reused, too late), recovery codes,
a required authenticator set up during the sign-in, e-mailed codes for a first sign-in or a new
network, and the lockout that wrong codes count toward."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portal import create_app
from portal.audit.models import AuditEvent
from portal.auth import authenticator
from portal.auth.models import SignInCode
from portal.core.errors import NotAllowed
from portal.extensions import db
from tests import factories as f
from tests.auth.two_factor_helpers import (
    T0,
    actions,
    code_for,
    english,
    enrol,
    me,
    outbox,
    password_step,
    second_step,
    sign_out,
    stored_secret,
    user,
)
from tests.conftest import IsolatedClient, csrf_from, make_config
from tests.factories import Clock


@pytest.fixture(autouse=True)
def world(db_app):
    f.user("zhangwei", display_name="张伟")
    f.user("lina", display_name="李娜", roles=["support"])
    f.user("admin1", roles=["admin"])
    f.user("nomail", email="")
    db.session.commit()


@pytest.fixture
def db_client(db_app):
    return english(db_app.test_client())


@pytest.fixture
def clock(db_app) -> Clock:
    c = db_app.config["CLOCK"] = Clock(T0)
    return c


def sign_in_event(u) -> dict:
    row = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "sign_in", AuditEvent.subject_id == u.id)
        .order_by(AuditEvent.id.desc())
    )
    return json.loads(row.detail)


# --- TOTP ---------------------------------------------------------------------------------------


def test_an_enrolled_user_is_not_signed_in_by_the_password_alone(db_client, clock):
    secret, _codes = enrol(user("zhangwei"), clock.t)
    r = password_step(db_client, remember=True, next_url="/tickets/")
    assert r.status_code == 303 and r.headers["Location"].endswith("/login/verify")
    assert me(db_client) == 401 and db_client.get_cookie("remember_token") is None
    assert db_client.get("/account/security").status_code == 302  # not signed in
    clock.move(seconds=30)
    r = second_step(db_client, code_for(secret, clock.t))
    assert r.status_code == 303 and r.headers["Location"] == "/tickets/"
    assert me(db_client) == 200 and db_client.get_cookie("remember_token") is not None  # "remember me" kept
    assert sign_in_event(user("zhangwei")) == {"remember": True, "second_factor": "totp"}


def test_a_wrong_code_is_refused_counted_and_audited(db_client, clock):
    secret, _ = enrol(user("zhangwei"), clock.t)
    password_step(db_client)
    r = second_step(db_client, "000000" if code_for(secret, clock.t, 1) != "000000" else "111111")
    assert r.status_code == 422
    assert "That code is not right" in r.get_data(as_text=True)
    assert me(db_client) == 401
    u = user("zhangwei")
    db.session.refresh(u)
    assert u.failed_sign_ins == 1
    assert "two_factor_failed" in actions(u)
    # the right code still works, and clears the count
    assert second_step(db_client, code_for(secret, clock.t, 1)).status_code == 303
    db.session.refresh(u)
    assert u.failed_sign_ins == 0 and me(db_client) == 200


def test_a_code_is_not_accepted_twice(db_app, db_client, clock):
    secret, _ = enrol(user("zhangwei"), clock.t)  # the enrolment used this step's code
    password_step(db_client)
    assert second_step(db_client, code_for(secret, clock.t)).status_code == 422  # reused
    code = code_for(secret, clock.t, 1)
    assert second_step(db_client, code).status_code == 303
    other = english(db_app.test_client())
    password_step(other)
    assert second_step(other, code).status_code == 422  # the same code in another browser
    assert me(other) == 401


def test_a_pending_sign_in_expires_after_five_minutes(db_client, clock):
    secret, _ = enrol(user("zhangwei"), clock.t)
    password_step(db_client)
    page = db_client.get("/login/verify").get_data(as_text=True)
    clock.move(minutes=5, seconds=1)
    r = db_client.post("/login/verify", data={"code": code_for(secret, clock.t), "csrf_token": csrf_from(page)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/login")
    assert me(db_client) == 401
    assert db_client.get("/login/verify").status_code == 303
    assert "took too long" in db_client.get("/login").get_data(as_text=True)


def test_without_a_pending_sign_in_the_verify_page_sends_to_sign_in(db_client):
    assert db_client.get("/login/verify").headers["Location"].endswith("/login")
    assert db_client.get("/login/enrol").headers["Location"].endswith("/login")


def test_cancel_ends_the_pending_sign_in(db_client, clock):
    secret, _ = enrol(user("zhangwei"), clock.t)
    password_step(db_client)
    page = db_client.get("/login/verify").get_data(as_text=True)
    assert db_client.post("/login/cancel", data={"csrf_token": csrf_from(page)}).status_code == 303
    assert db_client.get("/login/verify").status_code == 303


def test_five_wrong_codes_lock_the_account_and_the_password_does_not_reset_the_count(db_client, clock):
    enrol(user("zhangwei"), clock.t)
    password_step(db_client)
    for _ in range(3):
        assert second_step(db_client, "999999").status_code == 422
    # starting again with the right password gains no tries: the count is on the server
    password_step(db_client)
    assert second_step(db_client, "999999").status_code == 422
    r = second_step(db_client, "999999")
    assert r.status_code == 429 and "locked until" in r.get_data(as_text=True)
    assert "account_locked" in actions(user("zhangwei"))
    assert password_step(db_client).status_code == 429  # even the right password, while it lasts


def test_a_replayed_pending_cookie_gains_no_tries(db_app, db_client, clock):
    enrol(user("zhangwei"), clock.t)
    password_step(db_client)
    saved = db_client.get_cookie("session").value
    for _ in range(4):
        assert second_step(db_client, "999999").status_code == 422
    replay: IsolatedClient = english(db_app.test_client())
    replay.set_cookie("session", saved)
    assert second_step(replay, "999999").status_code == 429


def test_a_recovery_code_signs_in_once_instead_of_a_code(db_app, db_client, clock):
    _secret, codes = enrol(user("zhangwei"), clock.t)
    password_step(db_client)
    r = second_step(db_client, codes[3].upper().replace("-", " "))
    assert r.status_code == 303 and me(db_client) == 200
    assert "9 are left" in db_client.get("/").get_data(as_text=True)
    assert sign_in_event(user("zhangwei"))["second_factor"] == "recovery_code"
    assert "recovery_code_used" in actions(user("zhangwei"))
    assert authenticator.recovery_codes_left(user("zhangwei")) == 9
    other = english(db_app.test_client())
    password_step(other)
    assert second_step(other, codes[3]).status_code == 422  # used up
    assert second_step(other, codes[4]).status_code == 303


# --- a required authenticator -------------------------------------------------------------------


def test_a_role_that_requires_two_factor_is_sent_to_set_it_up_after_the_password(db_app, db_client, clock):
    db_app.config["2FA_REQUIRED_ROLES"] = ("admin", "support")
    assert password_step(db_client, "zhangwei").status_code == 303 and me(db_client) == 200  # not required
    sign_out(db_client)
    r = password_step(db_client, "lina", next_url="/tickets/queue")
    assert r.headers["Location"].endswith("/login/enrol")
    assert me(db_client) == 401
    page = db_client.get("/login/enrol")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "required for your role" in html
    assert re.search(r'<img class="qr" src="data:image/svg\+xml', html)
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    secret = stored_secret(user("lina"), pending=True)
    assert shown == secret
    assert f'id="totp-secret">{re.search(r"id=.totp-secret.>([^<]+)<", html).group(1)}<' in db_client.get(
        "/login/enrol"
    ).get_data(as_text=True)  # the same secret until it is confirmed
    r = db_client.post("/login/enrol", data={"code": "123", "csrf_token": csrf_from(html)})
    assert r.status_code == 422 and me(db_client) == 401
    r = db_client.post("/login/enrol", data={"code": code_for(secret, clock.t), "csrf_token": csrf_from(html)})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", r.get_data(as_text=True))
    assert len(codes) == 10 and 'href="/tickets/queue"' in r.get_data(as_text=True)
    assert me(db_client) == 200
    assert authenticator.is_enrolled(user("lina"))
    assert sign_in_event(user("lina"))["second_factor"] == "totp_enrolled"
    assert "two_factor_enabled" in actions(user("lina"))
    # from now on a code is asked every time
    sign_out(db_client)
    assert password_step(db_client, "lina").headers["Location"].endswith("/login/verify")


def test_an_administrator_requires_two_factor_of_one_account(db_client, clock):
    zhang, admin = user("zhangwei"), user("admin1")
    with pytest.raises(NotAllowed):
        authenticator.require_two_factor(zhang, True, by=user("lina"))
    authenticator.require_two_factor(zhang, True, by=admin)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_updated"))
    assert event.actor_id == admin.id and json.loads(event.after) == {"two_factor_required": True}
    assert password_step(db_client).headers["Location"].endswith("/login/enrol")
    assert "An administrator requires" in db_client.get("/login/enrol").get_data(as_text=True)


def test_required_roles_come_from_the_environment_and_unknown_ones_stop_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_2FA_REQUIRED_ROLES", "admin,support")
    app = create_app(make_config(tmp_path))
    assert app.config["2FA_REQUIRED_ROLES"] == ("admin", "support")
    monkeypatch.setenv("PORTAL_2FA_REQUIRED_ROLES", "admin,boss")
    with pytest.raises(ValueError, match="boss"):
        create_app(make_config(tmp_path / "other"))


# --- unusual sign-ins: first ever, or from a new network ------------------------------------------


@pytest.fixture
def checking(db_app, mailbox):
    db_app.config["SIGNIN_NEW_NETWORK_CHECK"] = True
    db_app.extensions["test_mailbox"] = mailbox.configure(db_app)


def test_first_sign_in_and_new_network_need_an_emailed_code(db_app, db_client, clock, checking):
    r = password_step(db_client, ip="10.1.2.3")
    assert r.headers["Location"].endswith("/login/verify")
    html = db_client.get("/login/verify").get_data(as_text=True)
    assert "first sign-in" in html and "z•••@example.com.cn" in html
    (mail,) = outbox(db_app)
    assert mail["to"] == "zhangwei@example.com.cn" and mail["code"] in mail["text"]
    row = db.session.scalar(select(SignInCode))
    assert mail["code"] not in row.code_hash
    assert second_step(db_client, mail["code"], ip="10.1.2.3").status_code == 303
    assert me(db_client) == 200
    assert sign_in_event(user("zhangwei"))["second_factor"] == "email_code"
    sign_out(db_client)

    # the same /24: no code
    assert password_step(db_client, ip="10.1.2.200").headers["Location"] == "/"
    sign_out(db_client)
    # another network: a code again
    assert password_step(db_client, ip="192.168.7.1").headers["Location"].endswith("/login/verify")
    html = db_client.get("/login/verify").get_data(as_text=True)
    assert "network your account has not used" in html
    code = outbox(db_app)[-1]["code"]
    assert second_step(db_client, "000000" if code != "000000" else "111111").status_code == 422
    assert second_step(db_client, code).status_code == 303
    assert actions(user("zhangwei")).count("sign_in_code_sent") == 2


def test_an_emailed_code_works_once(db_app, db_client, clock, checking):
    password_step(db_client, ip="10.1.2.3")
    saved = db_client.get_cookie("session").value
    code = outbox(db_app)[-1]["code"]
    assert second_step(db_client, code).status_code == 303
    replay = english(db_app.test_client())
    replay.set_cookie("session", saved)  # the pending sign-in copied before it was completed
    assert second_step(replay, code).status_code == 422
    assert me(replay) == 401


def test_a_new_code_replaces_the_old_and_only_a_few_are_sent(db_app, db_client, clock, checking):
    password_step(db_client, ip="10.1.2.3")
    first = outbox(db_app)[-1]["code"]
    page = db_client.get("/login/verify").get_data(as_text=True)
    assert db_client.post("/login/verify/resend", data={"csrf_token": csrf_from(page)}).status_code == 303
    second = outbox(db_app)[-1]["code"]
    assert len(outbox(db_app)) == 2
    assert db_client.post("/login/verify/resend", data={"csrf_token": csrf_from(page)}).status_code == 303
    assert db_client.post("/login/verify/resend", data={"csrf_token": csrf_from(page)}).status_code == 303
    assert len(outbox(db_app)) == 3  # the fourth within ten minutes is refused
    assert "Several codes were sent" in db_client.get("/login/verify").get_data(as_text=True)
    third = outbox(db_app)[-1]["code"]
    if first != third:
        assert second_step(db_client, first).status_code == 422
    if second != third:
        assert second_step(db_client, second).status_code == 422
    assert second_step(db_client, third).status_code == 303


def test_an_emailed_code_stops_working_after_ten_minutes(db_app, db_client, clock, checking):
    password_step(db_client, ip="10.1.2.3")
    code = outbox(db_app)[-1]["code"]
    page = db_client.get("/login/verify").get_data(as_text=True)
    clock.move(minutes=10)
    r = db_client.post("/login/verify", data={"code": code, "csrf_token": csrf_from(page)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/login") and me(db_client) == 401


def test_an_enrolled_user_gives_a_totp_code_from_a_new_network_not_an_emailed_one(db_app, db_client, clock, checking):
    secret, _ = enrol(user("zhangwei"), clock.t)
    assert password_step(db_client, ip="10.9.9.9").headers["Location"].endswith("/login/verify")
    assert outbox(db_app) == []
    assert second_step(db_client, code_for(secret, clock.t, 1)).status_code == 303


def test_without_email_and_authenticator_the_unusual_sign_in_proceeds_and_is_recorded(db_app, db_client, checking):
    assert password_step(db_client, "nomail", ip="10.1.2.3").headers["Location"] == "/"
    assert me(db_client) == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_unchecked"))
    assert event.subject_id == user("nomail").id
    assert json.loads(event.detail) == {"mail_server": True, "network": "10.1.2.0/24", "reason": "first_sign_in"}


def test_without_a_mail_server_the_unusual_sign_in_proceeds_and_is_recorded(db_app, db_client):
    """No PORTAL_SMTP_HOST: no code could reach anyone, so nobody is shut out; the audit trail says so."""
    db_app.config.update(SIGNIN_NEW_NETWORK_CHECK=True, SMTP_HOST="")
    assert password_step(db_client, "zhangwei", ip="10.1.2.3").headers["Location"] == "/"
    assert me(db_client) == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_unchecked"))
    assert json.loads(event.detail) == {"mail_server": False, "network": "10.1.2.0/24", "reason": "first_sign_in"}


def test_the_check_is_off_when_configured(db_app, db_client, mailbox):
    db_app.extensions["test_mailbox"] = mailbox.configure(db_app)
    assert db_app.config["SIGNIN_NEW_NETWORK_CHECK"] is False  # tests.conftest.make_config, like the demo
    assert password_step(db_client, ip="10.1.2.3").headers["Location"] == "/"


def test_an_ipv6_network_is_its_slash_64(db_app, db_client, clock, checking):
    password_step(db_client, ip="2001:db8:1:2::10")
    assert second_step(db_client, outbox(db_app)[-1]["code"], ip="2001:db8:1:2::10").status_code == 303
    sign_out(db_client)
    assert password_step(db_client, ip="2001:db8:1:2:ffff::1").headers["Location"] == "/"
    sign_out(db_client)
    assert password_step(db_client, ip="2001:db8:1:3::1").headers["Location"].endswith("/login/verify")
