"""The security page: setting up an authenticator with a real code, recovery codes, turning it off,
trusted browsers (skipping the second step, forgotten one by one, all at once, by "sign out
everywhere" and by expiry), open sessions, and who may touch whose."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth import authenticator, devices, otp, sessions
from portal.auth.models import RecoveryCode, TotpCredential, TrustedDevice
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
    password_step,
    second_step,
    sign_out,
    stored_secret,
    user,
)
from tests.conftest import csrf_from
from tests.factories import Clock


@pytest.fixture(autouse=True)
def world(db_app):
    f.user("zhangwei", display_name="张伟")
    f.user("lina", display_name="李娜")
    f.user("admin1", roles=["admin"])
    db.session.commit()


@pytest.fixture
def db_client(db_app):
    return english(db_app.test_client())


@pytest.fixture
def clock(db_app) -> Clock:
    c = db_app.config["CLOCK"] = Clock(T0)
    return c


def signed_in(client, username="zhangwei", secret=None, now=None, *, trust=False):
    r = password_step(client, username)
    if secret is not None:
        assert r.headers["Location"].endswith("/login/verify")
        r = second_step(client, code_for(secret, now, 1), trust=trust)
    assert r.status_code == 303 and me(client) == 200, r.headers.get("Location")
    return r


def post(client, path, **data):
    token = csrf_from(client.get("/account/security").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_the_security_page_needs_a_sign_in_and_is_linked_from_the_user_menu(db_client):
    r = db_client.get("/account/security")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    signed_in(db_client)
    home = db_client.get("/").get_data(as_text=True)
    assert 'href="/account/security"' in home
    page = db_client.get("/account/security")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Set up two-factor sign-in" in html and "No browser is trusted." in html
    assert html.count('id="session-') == 1 and "this browser" in html


def test_setting_up_an_authenticator_with_a_real_code(db_client, clock):
    signed_in(db_client)
    page = db_client.get("/account/security/authenticator")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<img class="qr" src="data:image/svg\+xml;', html)
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    u = user("zhangwei")
    secret = stored_secret(u, pending=True)
    assert shown == secret
    row = db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == u.id))
    assert secret not in row.pending_secret  # sealed, not stored as text
    assert not authenticator.is_enrolled(u)

    token = csrf_from(html)
    r = db_client.post("/account/security/authenticator", data={"code": "000000", "csrf_token": token})
    assert r.status_code == 422 and not authenticator.is_enrolled(u)
    assert shown[:8] in r.get_data(as_text=True).replace(" ", "")  # the same key is shown again
    r = db_client.post("/account/security/authenticator", data={"code": code_for(secret, clock.t), "csrf_token": token})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", r.get_data(as_text=True))
    assert len(codes) == 10
    assert authenticator.is_enrolled(u) and authenticator.recovery_codes_left(u) == 10
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == u.id)))
    assert not any(c in h for c in codes for h in stored)
    assert "two_factor_enabled" in actions(u)

    # the key and the codes are never shown again
    html = db_client.get("/account/security").get_data(as_text=True)
    assert "10 recovery codes left" in html
    assert shown[:8] not in html.replace(" ", "") and codes[0] not in html
    # and the next sign-in asks for a code
    sign_out(db_client)
    assert password_step(db_client).headers["Location"].endswith("/login/verify")
    assert second_step(db_client, code_for(secret, clock.t, 1)).status_code == 303


def test_a_new_authenticator_replaces_the_old_one_only_once_confirmed(db_client, clock):
    u = user("zhangwei")
    old, _ = enrol(u, clock.t)
    signed_in(db_client, secret=old, now=clock.t)
    html = db_client.get("/account/security/authenticator").get_data(as_text=True)
    assert "Set up a new authenticator" in html
    new = stored_secret(u, pending=True)
    assert new != old and stored_secret(u) == old  # the old one keeps working meanwhile
    clock.move(seconds=60)
    r = db_client.post(
        "/account/security/authenticator", data={"code": code_for(new, clock.t), "csrf_token": csrf_from(html)}
    )
    assert r.status_code == 200 and stored_secret(u) == new


def test_new_recovery_codes_need_a_current_code_or_the_password_and_replace_the_old(db_app, db_client, clock):
    u = user("zhangwei")
    secret, first = enrol(u, clock.t)
    signed_in(db_client, secret=secret, now=clock.t)
    r = post(db_client, "/account/security/recovery-codes", **{"codes-proof": "wrong password"})
    assert r.status_code == 422 and "neither a current code nor your password" in r.get_data(as_text=True)
    assert "two_factor_failed" in actions(u)
    clock.move(seconds=30)
    r = post(db_client, "/account/security/recovery-codes", **{"codes-proof": code_for(secret, clock.t, 1)})
    assert r.status_code == 200
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", r.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(first)
    assert "recovery_codes_regenerated" in actions(u)
    other = english(db_app.test_client())
    password_step(other)
    assert second_step(other, first[0]).status_code == 422
    assert second_step(other, new[0]).status_code == 303


def test_turning_it_off_needs_proof_and_is_refused_while_required(db_app, db_client, clock):
    u = user("zhangwei")
    secret, codes = enrol(u, clock.t)
    signed_in(db_client, secret=secret, now=clock.t)
    assert post(db_client, "/account/security/authenticator/disable", **{"disable-proof": "nope"}).status_code == 422
    assert authenticator.is_enrolled(u)
    db_app.config["2FA_REQUIRED_ROLES"] = ("employee",)
    assert "cannot be turned off" in db_client.get("/account/security").get_data(as_text=True)
    r = post(db_client, "/account/security/authenticator/disable", **{"disable-proof": f.PASSWORD})
    assert r.status_code == 403 and authenticator.is_enrolled(u)
    db_app.config["2FA_REQUIRED_ROLES"] = ()
    r = post(db_client, "/account/security/authenticator/disable", **{"disable-proof": f.PASSWORD})
    assert r.status_code == 303 and not authenticator.is_enrolled(u)
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == u.id)) is None
    assert "two_factor_disabled" in actions(u)
    sign_out(db_client)
    assert password_step(db_client).headers["Location"] == "/"  # the password alone again


def test_an_administrator_resets_a_lost_authenticator(db_client, clock):
    u = user("zhangwei")
    enrol(u, clock.t)
    with pytest.raises(NotAllowed):
        authenticator.reset_two_factor(u, by=user("lina"))
    authenticator.reset_two_factor(u, by=user("admin1"))
    assert not authenticator.is_enrolled(u)
    assert password_step(db_client).headers["Location"] == "/"


# --- trusted browsers ---------------------------------------------------------------------------


def test_a_trusted_browser_skips_the_second_step_until_it_is_forgotten(db_app, db_client, clock):
    u = user("zhangwei")
    secret, _ = enrol(u, clock.t)
    r = signed_in(db_client, secret=secret, now=clock.t, trust=True)
    cookie = r.headers.getlist("Set-Cookie")
    trusted = next(c for c in cookie if c.startswith(f"{devices.COOKIE}="))
    assert "HttpOnly" in trusted and "SameSite=Lax" in trusted and "Max-Age=2592000" in trusted
    assert "Secure" not in trusted  # like the session cookie of this (plain HTTP) test set-up
    (row,) = db.session.scalars(select(TrustedDevice).where(TrustedDevice.user_id == u.id))
    token = db_client.get_cookie(devices.COOKIE).value
    assert token not in row.token_hash and row.expires_at == clock.t + timedelta(days=30)
    assert "device_trusted" in actions(u)

    sign_out(db_client)
    assert password_step(db_client).headers["Location"] == "/"  # no code asked
    assert me(db_client) == 200
    html = db_client.get("/account/security").get_data(as_text=True)
    assert f'id="browser-{row.id}"' in html and "this browser" in html

    # another account on the same browser is not trusted by it
    sign_out(db_client)
    lina_secret, _ = enrol(user("lina"), clock.t)
    assert password_step(db_client, "lina").headers["Location"].endswith("/login/verify")
    assert second_step(db_client, code_for(lina_secret, clock.t, 1)).status_code == 303

    # a browser without the cookie is asked
    other = english(db_app.test_client())
    assert password_step(other).headers["Location"].endswith("/login/verify")

    # forgotten on the security page: asked again
    sign_out(db_client)
    password_step(db_client)
    assert post(db_client, f"/account/security/browsers/{row.id}/forget").status_code == 303
    assert "device_forgotten" in actions(u)
    sign_out(db_client)
    assert password_step(db_client).headers["Location"].endswith("/login/verify")


def test_trust_ends_after_30_days(db_client, clock):
    secret, _ = enrol(user("zhangwei"), clock.t)
    signed_in(db_client, secret=secret, now=clock.t, trust=True)
    sign_out(db_client)
    clock.move(days=29)
    assert password_step(db_client).headers["Location"] == "/"
    sign_out(db_client)
    clock.move(days=1)
    assert password_step(db_client).headers["Location"].endswith("/login/verify")


def test_sign_out_everywhere_else_ends_other_sessions_and_forgets_trusted_browsers(db_app, db_client, clock):
    u = user("zhangwei")
    secret, _ = enrol(u, clock.t)
    laptop = english(db_app.test_client())
    signed_in(laptop, secret=secret, now=clock.t, trust=True)
    clock.move(seconds=30)
    signed_in(db_client, secret=secret, now=clock.t, trust=True)
    assert len(devices.list_for(u)) == 2 and len(sessions.active_for(u)) == 2
    r = post(db_client, "/account/security/sessions/end-others")
    assert r.status_code == 303
    assert me(db_client) == 200 and me(laptop) == 401
    assert devices.list_for(u) == []
    assert password_step(laptop).headers["Location"].endswith("/login/verify")


def test_revoke_all_forgets_trusted_browsers_in_the_same_unit_of_work(db_client, clock):
    u = user("zhangwei")
    secret, _ = enrol(u, clock.t)
    signed_in(db_client, secret=secret, now=clock.t, trust=True)
    assert sessions.sign_out_everywhere(u, by=user("admin1")) == 1
    assert devices.list_for(u) == [] and me(db_client) == 401
    with pytest.raises(NotAllowed):
        devices.forget_devices(u, by=user("lina"))


def test_forget_all_trusted_browsers(db_app, db_client, clock):
    u = user("zhangwei")
    secret, _ = enrol(u, clock.t)
    other = english(db_app.test_client())
    signed_in(other, secret=secret, now=clock.t, trust=True)
    clock.move(seconds=30)
    signed_in(db_client, secret=secret, now=clock.t, trust=True)
    assert post(db_client, "/account/security/browsers/forget").status_code == 303
    assert devices.list_for(u) == [] and me(other) == 200  # signed in still, but no longer trusted


# --- sessions and whose is whose ----------------------------------------------------------------


def test_ending_one_of_ones_own_sessions(db_app, db_client):
    other = english(db_app.test_client())
    signed_in(other)
    signed_in(db_client)
    u = user("zhangwei")
    here = {s.id for s in sessions.active_for(u)}
    html = db_client.get("/account/security").get_data(as_text=True)
    (mine,) = (
        {int(i) for i in re.findall(r'id="session-(\d+)"', html)}
        & here
        & {int(i) for i in re.findall(r"/account/security/sessions/(\d+)/end", html)}
    )
    assert post(db_client, f"/account/security/sessions/{mine}/end").status_code == 303
    assert me(other) == 401 and me(db_client) == 200


def test_nobody_ends_another_users_session_or_forgets_their_browser(db_app, db_client, clock):
    lina = english(db_app.test_client())
    secret, _ = enrol(user("lina"), clock.t)
    signed_in(lina, "lina", secret=secret, now=clock.t, trust=True)
    (device,) = devices.list_for(user("lina"))
    (session_row,) = sessions.active_for(user("lina"))
    signed_in(db_client)  # zhangwei
    assert post(db_client, f"/account/security/browsers/{device.id}/forget").status_code == 404
    assert post(db_client, f"/account/security/sessions/{session_row.id}/end").status_code == 404
    assert devices.list_for(user("lina")) != [] and me(lina) == 200
    assert post(db_client, "/account/security/browsers/999999/forget").status_code == 404
    html = db_client.get("/account/security").get_data(as_text=True)
    assert f'id="browser-{device.id}"' not in html and f'id="session-{session_row.id}"' not in html


@pytest.mark.parametrize(
    "path",
    [
        "/account/security/authenticator",
        "/account/security/authenticator/disable",
        "/account/security/recovery-codes",
        "/account/security/browsers/1/forget",
        "/account/security/browsers/forget",
        "/account/security/sessions/1/end",
        "/account/security/sessions/end-others",
    ],
)
def test_every_security_write_needs_a_sign_in_and_the_csrf_token(db_client, path):
    token = csrf_from(db_client.get("/login").get_data(as_text=True))
    r = db_client.post(path, data={"csrf_token": token})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    signed_in(db_client)
    assert db_client.post(path).status_code == 400  # no CSRF token
    assert me(db_client) == 200


def test_a_secret_sealed_under_another_key_accepts_no_code(db_app, clock):
    u = user("zhangwei")
    secret, _ = enrol(u, clock.t)
    db_app.config["SECRET_KEY"] = "a-new-secret-key"
    step = otp.time_step(clock.t)
    assert not authenticator.use_totp(u, otp.code_at(secret, step + 1), clock.t)  # refused, and no error
    db_app.config["SECRET_KEY"] = "test-secret"
    assert authenticator.use_totp(u, otp.code_at(secret, step + 1), clock.t)
