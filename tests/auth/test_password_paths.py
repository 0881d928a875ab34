"""The policy on every path that sets a password (services, commands), the administrator's reset,
and a hash scheme whose cost the unknown-user and locked paths share."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from portal.auth import services
from portal.auth.models import PasswordHistory, User
from portal.auth.passwords import Policy, password_problems
from portal.core import clock
from portal.core.errors import NotAllowed
from portal.extensions import db
from tests import factories as f
from tests.conftest import FAST_HASH

T0 = datetime(2027, 1, 4, 1, 0)


@pytest.fixture(autouse=True)
def world(db_app, db_client):
    db_client.set_cookie("portal_lang", "en")
    f.user("zhangwei", display_name="张伟")
    f.user("admin", display_name="系统管理员", roles=["admin"])
    db.session.commit()


@pytest.fixture
def cli(db_app):
    runner = db_app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def user(name: str = "zhangwei") -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


# --- the check other paths call (a bulk import's dry run) ----------------------------------------


def test_check_password_gives_one_message_per_rule():
    assert services.check_password("Start#2026x", username="newbie") == []
    messages = services.check_password("newbie", username="newbie")
    assert messages == [
        "The password is too short: it needs at least 8 characters.",
        "The password needs at least one digit.",
        "The password needs at least one special character, such as @ # % ! ?",
        "The password must not contain the user name.",
    ]


def test_check_password_with_the_account_counts_its_last_passwords():
    assert services.check_password(f.PASSWORD, username="zhangwei") == []
    assert services.check_password(f.PASSWORD, username="zhangwei", user=user()) == [
        "This password was used recently; choose one that is not among the last 5."
    ]


def test_password_rules_lists_what_is_shown_beside_the_field(db_app):
    assert [code for code, _ in services.password_rules()] == [
        "too_short",
        "no_letter",
        "no_digit",
        "no_special",
        "contains_username",
        "reused",
    ]
    db_app.config.update(PASSWORD_MIN_LENGTH=10, PASSWORD_HISTORY=0)
    rules = dict(services.password_rules())
    assert rules["too_short"] == "At least 10 characters" and "reused" not in rules


# --- creating an account -------------------------------------------------------------------------


def test_create_user_applies_the_policy_and_starts_the_history():
    with pytest.raises(services.AccountError) as refused:
        services.create_user(services.NewUser(username="newbie", password="newbie2026"))
    assert "weak password" in refused.value.errors["password"]
    assert "special character" in refused.value.errors["password"]
    assert "user name" in refused.value.errors["password"]
    with clock.frozen(T0):
        services.create_user(services.NewUser(username="newbie", password="Start#2026x", must_change_password=True))
    u = user("newbie")
    assert u.must_change_password and u.password_changed_at == T0
    assert [h.password_hash for h in db.session.scalars(select(PasswordHistory).filter_by(user_id=u.id))] == [
        u.password_hash
    ]


def test_create_user_keeps_the_password_by_default():
    services.create_user(services.NewUser(username="newbie", password="Start#2026x"))
    assert not user("newbie").must_change_password  # the demo's accounts, a script's


def test_the_create_command_makes_an_initial_password_by_default(cli):
    weak = cli("users", "create", "--username", "weak", "--password", "weak")
    assert weak.exit_code == 1 and "too short" in weak.output and "digit" in weak.output
    assert cli("users", "create", "--username", "newbie", "--password", "Start#2026x").exit_code == 0
    assert user("newbie").must_change_password
    ok = cli("users", "create", "--username", "robot", "--password", "Start#2026x", "--no-must-change")
    assert ok.exit_code == 0 and not user("robot").must_change_password


# --- setting one from the command line -----------------------------------------------------------


def test_set_password_command_applies_the_policy(cli):
    weak = cli("users", "set-password", "zhangwei", "--password", "zhangwei#1")
    assert weak.exit_code == 1 and "must not contain the user name" in weak.output
    reused = cli("users", "set-password", "zhangwei", "--password", f.PASSWORD)
    assert reused.exit_code == 1 and "used recently" in reused.output
    ok = cli("users", "set-password", "zhangwei", "--password", "Given#2027pass")
    assert ok.exit_code == 0 and "to be changed at the next sign-in" in ok.output
    u = user()
    assert check_password_hash(u.password_hash, "Given#2027pass") and u.must_change_password
    cli("users", "set-password", "zhangwei", "--password", "Own#2027pass", "--no-must-change")
    assert not user().must_change_password
    assert cli("users", "set-password", "ghost", "--password", "Own#2027pass").exit_code == 1


# --- the administrator's reset -------------------------------------------------------------------


def test_an_admin_reset_issues_a_one_time_password_that_must_be_changed(db_client, db_auth):
    with clock.frozen(T0):
        for _ in range(5):
            db_auth.login("zhangwei", "Wrong#1pass")  # locked, too
        one_time = services.reset_password(user(), by=user("admin"))
        db.session.commit()
        assert password_problems(one_time, "zhangwei", Policy()) == [] and len(one_time) >= 12
        u = user()
        assert u.must_change_password and u.locked_until is None and u.failed_sign_ins == 0
        assert db_auth.login("zhangwei", f.PASSWORD).status_code == 422
        assert db_auth.login("zhangwei", one_time).status_code == 303
        assert db_client.get("/").location.startswith("/password")


def test_only_an_administrator_may_reset_or_set_someone_elses_password():
    with pytest.raises(NotAllowed):
        services.reset_password(user("admin"), by=user())
    with pytest.raises(NotAllowed):
        services.set_password(user("admin"), "Taken#2027pass", by=user(), initial=True)
    assert check_password_hash(user("admin").password_hash, f.PASSWORD)
    services.set_password(user(), "Given#2027pass", by=user("admin"), initial=True)  # an import, an admin page
    assert user().must_change_password


def test_reset_password_command_prints_the_one_time_password(cli):
    result = cli("users", "reset-password", "zhangwei")
    one_time = result.output.strip()
    assert result.exit_code == 0 and password_problems(one_time, "zhangwei") == []
    u = user()
    assert check_password_hash(u.password_hash, one_time) and u.must_change_password
    assert cli("users", "reset-password", "ghost").exit_code == 1


# --- the hash and what the unknown-user path costs -----------------------------------------------


def _method(hashed: str) -> str:
    return hashed.split("$", 1)[0]


def test_production_hashes_with_scrypt_and_the_dummy_hash_uses_the_same_method(db_app):
    db_app.config.pop("PASSWORD_HASH_METHOD")  # what production runs: werkzeug's default
    real = services.hash_password("Start#2026x")
    assert _method(real).startswith("scrypt:")
    services._dummy_check("anything")
    assert _method(services._dummy_hashes[None]) == _method(real)


def test_unknown_users_and_locked_accounts_check_a_hash_of_the_same_method(db_app, monkeypatch):
    """The code path, not the clock: every way through authenticate checks exactly one hash, made
    with the configured method (the dummy for unknown names and locked accounts)."""
    checked: list[str] = []
    real_check = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checked.append(_method(h)) or real_check(h, p))
    with clock.frozen(T0):
        assert services.authenticate("zhangwei", "Wrong#1pass") is None  # a real user, wrong password
        assert services.authenticate("ghost", "Wrong#1pass") is None  # nobody of that name
        for _ in range(3):
            services.authenticate("zhangwei", "Wrong#1pass")
        with pytest.raises(services.AccountLocked):
            services.authenticate("zhangwei", "Wrong#1pass")  # the fifth locks
        with pytest.raises(services.AccountLocked):
            services.authenticate("zhangwei", f.PASSWORD)  # locked: the dummy again
    assert len(checked) == 7 and set(checked) == {FAST_HASH}
