"""Changing one's own password; initial and expired passwords changed before anything else; the
expiry banner and the one reminder notification."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from portal.auth import recovery, services
from portal.auth.models import PasswordHistory, User
from portal.core import clock
from portal.extensions import db
from portal.notify.models import Notification
from tests import factories as f

NEW = "Fresh#2027pass"
T0 = datetime(2027, 1, 4, 1, 0)  # 09:00 in Shanghai


@pytest.fixture(autouse=True)
def world(db_app, db_client):
    db_client.set_cookie("portal_lang", "en")  # the messages as written (no translation yet)
    f.user("zhangwei", display_name="张伟")
    f.user("lina", display_name="李娜")
    db.session.commit()


def user(name: str = "zhangwei") -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


def change(client, auth, current=f.PASSWORD, new=NEW, repeat=None, next_=""):
    return client.post(
        "/password",
        data={
            "current": current,
            "new": new,
            "repeat": new if repeat is None else repeat,
            "next": next_,
            "csrf_token": auth.csrf("/password"),
        },
    )


def html(response) -> str:
    return response.get_data(as_text=True)


# --- the change page ---------------------------------------------------------------------------


def test_the_page_needs_a_sign_in(db_client):
    response = db_client.get("/password")
    assert response.status_code == 302 and "/login?next=/password" in response.location


def test_the_page_shows_the_rules_beside_the_field(db_client, db_auth):
    db_auth.login("zhangwei")
    page = db_client.get("/password")
    body = html(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    rules = re.search(r'<ul id="password-rules".*?</ul>', body, re.S).group(0)
    assert 'data-username="zhangwei"' in rules and 'data-min-length="8"' in rules
    for text in ("At least 8 characters", "one digit", "special character", "user name", "last 5 passwords"):
        assert text in rules
    assert 'aria-describedby="password-rules"' in body and "js/password_rules.js" in body


def test_a_wrong_current_password_is_422_with_a_message_and_counts_as_a_failed_sign_in(db_client, db_auth):
    db_auth.login("zhangwei")
    response = change(db_client, db_auth, current="Not-the-1-password")
    assert response.status_code == 422
    assert "The current password is not correct." in html(response)
    u = user()
    assert check_password_hash(u.password_hash, f.PASSWORD) and u.failed_sign_ins == 1


def test_the_lock_applies_to_the_current_password_too(db_client, db_auth):
    with clock.frozen(T0):
        db_auth.login("zhangwei")
        codes = [change(db_client, db_auth, current=f"Wrong#{i}pass").status_code for i in range(5)]
        locked = change(db_client, db_auth)  # the right one, while the lock lasts
    assert codes == [422, 422, 422, 422, 429] and locked.status_code == 429
    assert "locked until" in html(locked)
    assert check_password_hash(user().password_hash, f.PASSWORD)


def test_two_different_new_passwords_are_refused(db_client, db_auth):
    db_auth.login("zhangwei")
    response = change(db_client, db_auth, repeat=NEW + "x")
    assert response.status_code == 422 and "The two new passwords are not the same." in html(response)


def test_a_weak_new_password_names_every_broken_rule(db_client, db_auth):
    db_auth.login("zhangwei")
    response = change(db_client, db_auth, new="zhangwei")
    body = html(response)
    assert response.status_code == 422
    errors = re.findall(r'<p class="field-error" id="new-error">(.*?)</p>', body)
    assert errors == [
        "The password needs at least one digit.",
        "The password needs at least one special character, such as @ # % ! ?",
        "The password must not contain the user name.",
    ]
    assert check_password_hash(user().password_hash, f.PASSWORD)


def test_success_changes_the_password_and_keeps_this_session(db_client, db_auth):
    with clock.frozen(T0):
        db_auth.login("zhangwei")
        response = change(db_client, db_auth, next_="/notifications/")
        assert response.status_code == 303 and response.location == "/notifications/"
        assert "Your password has been changed." in html(db_client.get("/"))  # still signed in
    u = user()
    assert check_password_hash(u.password_hash, NEW) and u.password_changed_at == T0
    assert not u.must_change_password
    db_auth.logout()
    assert db_auth.login("zhangwei").status_code == 422  # the old one no longer works
    assert db_auth.login("zhangwei", NEW).status_code == 303


def test_the_current_password_cannot_be_kept(db_client, db_auth):
    """Also for an account whose history began before its password was set (a factory's)."""
    db_auth.login("zhangwei")
    response = change(db_client, db_auth, new=f.PASSWORD)
    assert response.status_code == 422 and "used recently" in html(response)


def test_none_of_the_last_five_passwords_comes_back(db_client, db_auth):
    u = user()
    for i in range(6):
        services.set_password(u, f"Round#{i}pass", by=u, initial=False)
    assert db.session.scalar(select(db.func.count()).where(PasswordHistory.user_id == u.id)) == 5
    for i in range(1, 6):  # the current one and the four before it
        with pytest.raises(services.WeakPassword) as refused:
            services.set_password(u, f"Round#{i}pass", by=u, initial=False)
        assert refused.value.problems == ["reused"]
    services.set_password(u, "Round#0pass", by=u, initial=False)  # the sixth back: allowed again
    assert check_password_hash(user().password_hash, "Round#0pass")


def test_the_history_length_and_minimum_length_are_configurable(db_app):
    db_app.config.update(PASSWORD_HISTORY=1, PASSWORD_MIN_LENGTH=12)
    u = user()
    with pytest.raises(services.WeakPassword) as refused:
        services.set_password(u, "Short#1", by=u, initial=False)
    assert refused.value.problems == ["too_short"] and "at least 12 characters" in refused.value.messages[0]
    services.set_password(u, "Longer#2027pass", by=u, initial=False)
    services.set_password(u, "Longest#2027pass", by=u, initial=False)
    services.set_password(u, "Longer#2027pass", by=u, initial=False)  # only the current one counts


# --- initial passwords -------------------------------------------------------------------------


@pytest.fixture
def initial(db_app):
    u = user()
    services.set_password(u, "Initial#2027x", by=None, initial=True)
    db.session.commit()
    return "Initial#2027x"


def test_an_initial_password_sends_every_page_to_the_change_page(db_client, db_auth, initial):
    login = db_auth.login("zhangwei", initial)
    assert login.status_code == 303
    for path in ("/", "/tickets/", "/notifications/", "/kb/categories"):
        response = db_client.get(path)
        assert response.status_code == 303, path
        assert response.location == f"/password?next={path}", path
    page = db_client.get("/password")
    assert page.status_code == 200 and "Choose your own password to continue." in html(page)
    post = db_client.post("/tickets/new", data={"csrf_token": db_auth.csrf("/password")})
    assert post.status_code == 303 and post.location == "/password"
    static = db_client.get("/static/css/portal.css")
    static.close()
    assert static.status_code == 200
    assert db_client.get("/lang/en?next=/").status_code == 303


def test_htmx_requests_are_sent_with_a_client_redirect(db_client, db_auth, initial):
    db_auth.login("zhangwei", initial)
    response = db_client.get("/notifications/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/password")


def test_the_api_answers_403_with_the_reason(db_client, db_auth, initial):
    db_auth.login("zhangwei", initial)
    response = db_client.get("/api/v1/me")
    body = response.get_json()
    assert response.status_code == 403 and body["error"]["code"] == "password_change_required"
    assert "initial password" in body["error"]["message"]


def test_an_api_token_is_not_held_up(db_client, initial):
    """A token is a credential of its own; a robot has no one to type a new password."""
    response = db_client.get("/api/v1/me", headers=f.bearer("zhangwei"))
    assert response.status_code == 200 and response.get_json()["username"] == "zhangwei"


def test_sign_out_still_works(db_client, db_auth, initial):
    db_auth.login("zhangwei", initial)
    response = db_client.post("/logout", data={"csrf_token": db_auth.csrf("/password")})
    assert response.status_code == 303
    assert db_client.get("/tickets/").status_code == 302  # to the sign-in page now


def test_after_the_change_the_portal_opens(db_client, db_auth, initial):
    db_auth.login("zhangwei", initial)
    assert change(db_client, db_auth, current=initial, next_="/tickets/").location == "/tickets/"
    assert db_client.get("/tickets/").status_code == 200
    assert not user().must_change_password


def test_the_initial_password_itself_is_refused_as_the_new_one(db_client, db_auth, initial):
    db_auth.login("zhangwei", initial)
    response = change(db_client, db_auth, current=initial, new=initial)
    assert response.status_code == 422 and "used recently" in html(response)


# --- expiry ------------------------------------------------------------------------------------


def set_changed_at(when: datetime, name: str = "zhangwei") -> None:
    u = user(name)
    u.password_changed_at = when
    db.session.commit()


def test_a_banner_shows_in_the_reminder_period(db_client, db_auth):
    set_changed_at(T0)
    with clock.frozen(T0 + timedelta(days=75)):
        db_auth.login("zhangwei")
        assert 'id="password-reminder"' not in html(db_client.get("/"))
    with clock.frozen(T0 + timedelta(days=80)):
        db_auth.login("zhangwei")
        page = html(db_client.get("/"))
        assert 'id="password-reminder"' in page and "Your password expires in 10 days." in page
        assert 'href="/password"' in page
        assert 'id="password-reminder"' not in html(db_client.get("/password"))  # the page itself
    with clock.frozen(T0 + timedelta(days=89, hours=20)):
        db_auth.login("zhangwei")
        assert "Your password expires today." in html(db_client.get("/"))


def test_an_expired_password_is_changed_before_anything_else(db_client, db_auth):
    set_changed_at(T0)
    with clock.frozen(T0 + timedelta(days=91)):
        db_auth.login("zhangwei")
        response = db_client.get("/tickets/")
        assert response.status_code == 303 and response.location.startswith("/password")
        assert "Your password has expired." in html(db_client.get("/password"))
        assert "expired" in db_client.get("/api/v1/me").get_json()["error"]["message"]
        assert change(db_client, db_auth).status_code == 303
        assert db_client.get("/tickets/").status_code == 200


def test_max_age_zero_means_never(db_app, db_client, db_auth):
    db_app.config["PASSWORD_MAX_AGE_DAYS"] = 0
    set_changed_at(T0)
    with clock.frozen(T0 + timedelta(days=1000)):
        db_auth.login("zhangwei")
        assert db_client.get("/tickets/").status_code == 200
        assert recovery.send_expiry_reminders() == 0


def reminders(name: str = "zhangwei") -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user(name).id, Notification.kind == "password_expiry")
        )
    )


def test_the_daily_job_sends_one_reminder_per_password(db_app):
    set_changed_at(T0)
    set_changed_at(T0 + timedelta(days=30), "lina")  # not due yet
    assert recovery.send_expiry_reminders(T0 + timedelta(days=70)) == 0
    assert recovery.send_expiry_reminders(T0 + timedelta(days=77)) == 1
    [note] = reminders()
    assert note.url == "/password" and "2027" in note.title
    assert recovery.send_expiry_reminders(T0 + timedelta(days=78)) == 0  # once per reminder
    assert recovery.send_expiry_reminders(T0 + timedelta(days=88)) == 0
    assert len(reminders()) == 1 and reminders("lina") == []
    # a new password, and in time a new reminder
    with clock.frozen(T0 + timedelta(days=88)):
        u = user()
        services.set_password(u, NEW, by=u, initial=False)
    assert recovery.send_expiry_reminders(T0 + timedelta(days=110)) == 1  # lina's turn
    assert recovery.send_expiry_reminders(T0 + timedelta(days=88 + 77)) == 1
    assert len(reminders()) == 2 and len(reminders("lina")) == 1


def test_the_reminder_job_is_scheduled_daily():
    from portal.auth import tasks

    schedule = tasks.remind_expiring_passwords.task_class().validate_datetime
    runs = [datetime(2027, 1, 4, h, m) for h in range(24) for m in range(60)]
    assert [t for t in runs if schedule(t)] == [datetime(2027, 1, 4, 1, 5)]
