"""Locking an account after failed sign-ins: the pure rule, then the sign-in page, the API and the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth import lockout
from portal.auth.models import User
from portal.core import clock
from portal.extensions import db
from tests import factories as f

T0 = datetime(2027, 3, 1, 9, 0)
POLICY = lockout.Policy()


def fail(state: lockout.State, times: int, start: datetime = T0, every: timedelta = timedelta(minutes=1)):
    for i in range(times):
        state = lockout.after_failure(state, start + i * every, POLICY)
    return state


# --- the rule -------------------------------------------------------------------------------


def test_five_failures_within_the_window_lock_for_fifteen_minutes():
    four = fail(lockout.State(), 4)
    assert four.failures == 4 and not lockout.locked(four, T0 + timedelta(minutes=4))
    five = lockout.after_failure(four, T0 + timedelta(minutes=4), POLICY)
    assert five.locked_until == T0 + timedelta(minutes=19)
    assert lockout.locked(five, T0 + timedelta(minutes=18, seconds=59))
    assert not lockout.locked(five, T0 + timedelta(minutes=19))


def test_failures_spread_beyond_the_window_never_lock():
    state = fail(lockout.State(), 12, every=timedelta(minutes=4))  # 5 in a row span 16 minutes
    assert state.locked_until is None


def test_a_success_clears_the_count():
    assert lockout.after_success() == lockout.State()
    assert fail(lockout.after_success(), 1).failures == 1


def test_a_policy_needs_positive_values():
    with pytest.raises(ValueError):
        lockout.Policy(limit=0)


# --- the portal -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def world(db_app):
    f.user("zhangwei", display_name="张伟")
    db.session.commit()


def _post(client, auth, password):
    token = auth.csrf("/login")
    return client.post("/login", data={"username": "zhangwei", "password": password, "csrf_token": token})


def test_six_wrong_passwords_lock_and_the_right_one_is_refused_with_the_time(db_client, db_auth):
    """The fifth wrong password locks, and says so; the sixth and the right one are refused."""
    with clock.frozen(T0):
        for _i in range(4):
            assert _post(db_client, db_auth, "wrong-Pass1!").status_code == 422
        fifth = _post(db_client, db_auth, "wrong-Pass1!")
        sixth = _post(db_client, db_auth, "wrong-Pass1!")
        right = _post(db_client, db_auth, f.PASSWORD)
    for r in (fifth, sixth, right):
        html = r.get_data(as_text=True)
        assert r.status_code == 429
        assert "2027/3/1 17:15" in html  # 09:15 UTC in Shanghai time, when the lock ends
    assert db_client.get("/api/v1/me").status_code == 401  # not signed in
    with clock.frozen(T0 + timedelta(minutes=16)):  # the lock is over
        assert _post(db_client, db_auth, f.PASSWORD).status_code == 303
    user = db.session.scalar(select(User).where(User.username == "zhangwei"))
    assert user.failed_sign_ins == 0 and user.locked_until is None


def test_an_unknown_user_is_never_locked_nor_told_apart(db_client, db_auth):
    token = db_auth.csrf("/login")
    for _i in range(7):
        r = db_client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token})
        assert r.status_code == 422 and "用户名或密码错误" in r.get_data(as_text=True)


def test_an_administrator_unlocks_from_the_command_line(db_app, db_client, db_auth):
    with clock.frozen(T0):
        for _i in range(5):
            _post(db_client, db_auth, "wrong-Pass1!")
        assert _post(db_client, db_auth, f.PASSWORD).status_code == 429
        result = db_app.test_cli_runner().invoke(args=["users", "unlock", "zhangwei"])
        assert result.exit_code == 0 and "unlocked zhangwei" in result.output
        assert _post(db_client, db_auth, f.PASSWORD).status_code == 303
    missing = db_app.test_cli_runner().invoke(args=["users", "unlock", "nobody"])
    assert missing.exit_code != 0 and "nobody" in missing.output
