"""The pure rules of two-factor sign-in: which second step a sign-in needs, networks, the pending
sign-in, TOTP codes with their window and reuse, recovery and e-mailed codes, sealing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest

from portal.auth import otp, sealing
from portal.auth.second_factor import (
    MAX_ATTEMPTS,
    Facts,
    Pending,
    Step,
    browser_label,
    is_new_network,
    network_of,
    parse_roles,
    required_by_role,
    step_needed,
)

T0 = datetime(2027, 3, 1, 1, 0, 7)


def facts(**kw) -> Facts:
    base = {
        "enrolled": False,
        "required": False,
        "trusted_device": False,
        "first_sign_in": False,
        "new_network": False,
        "has_email": True,
        "check_unusual": True,
    }
    return Facts(**{**base, **kw})


@pytest.mark.parametrize(
    "given, step, reason",
    [
        ({}, Step.NONE, "usual"),
        ({"enrolled": True}, Step.TOTP, "enrolled"),
        ({"enrolled": True, "new_network": True}, Step.TOTP, "enrolled"),  # TOTP whenever enrolled
        ({"enrolled": True, "trusted_device": True}, Step.NONE, "trusted"),
        ({"required": True}, Step.ENROL, "required"),
        ({"required": True, "trusted_device": True}, Step.ENROL, "required"),  # never skipped
        ({"required": True, "enrolled": True}, Step.TOTP, "enrolled"),
        ({"first_sign_in": True}, Step.EMAIL, "first_sign_in"),
        ({"new_network": True}, Step.EMAIL, "new_network"),
        ({"first_sign_in": True, "new_network": True}, Step.EMAIL, "first_sign_in"),
        ({"new_network": True, "trusted_device": True}, Step.NONE, "trusted"),
        ({"new_network": True, "has_email": False}, Step.NONE, "no_channel"),
        ({"first_sign_in": True, "has_email": False}, Step.NONE, "no_channel"),
        ({"new_network": True, "check_unusual": False}, Step.NONE, "usual"),
        ({"first_sign_in": True, "check_unusual": False}, Step.NONE, "usual"),
        ({"enrolled": True, "check_unusual": False}, Step.TOTP, "enrolled"),
        ({"required": True, "check_unusual": False}, Step.ENROL, "required"),
    ],
)
def test_the_step_a_sign_in_needs(given, step, reason):
    decision = step_needed(facts(**given))
    assert (decision.step, decision.reason) == (step, reason)


@pytest.mark.parametrize(
    "ip, network",
    [
        ("10.1.2.3", "10.1.2.0/24"),
        ("10.1.2.250", "10.1.2.0/24"),
        ("::ffff:10.1.2.3", "10.1.2.0/24"),  # IPv4-mapped counts as IPv4
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_networks_are_ipv4_slash_24_and_ipv6_slash_64(ip, network):
    assert network_of(ip) == network


def test_a_network_is_new_when_no_earlier_sign_in_came_from_it():
    earlier = ["10.1.2.3", "2001:db8:1:2::5"]
    assert not is_new_network("10.1.2.99", earlier)
    assert not is_new_network("2001:db8:1:2:ffff::1", earlier)
    assert is_new_network("10.1.3.3", earlier)
    assert is_new_network("2001:db8:1:3::1", earlier)
    assert is_new_network("10.1.2.3", [])


def test_required_roles_from_configuration():
    assert parse_roles("admin, Support,,") == ("admin", "support")
    assert parse_roles(["support", "admin"]) == ("admin", "support")
    assert parse_roles("") == () and parse_roles(None) == ()
    assert required_by_role(["employee", "support"], ("admin", "support"))
    assert not required_by_role(["employee"], ("admin", "support"))
    assert not required_by_role(["admin"], ())


def test_a_pending_sign_in_survives_the_session_and_expires_by_step():
    p = Pending(user_id=7, step=Step.TOTP, started=T0, remember=True, next="/kb", reason="enrolled")
    assert Pending.from_dict(p.to_dict()) == p
    assert not p.expired(T0 + timedelta(minutes=4, seconds=59))
    assert p.expired(T0 + timedelta(minutes=5))
    assert p.expired(T0 - timedelta(minutes=2))  # a start in the future is no start
    email = Pending(user_id=7, step=Step.EMAIL, started=T0, code_id=3)
    assert not email.expired(T0 + timedelta(minutes=9)) and email.expired(T0 + timedelta(minutes=10))
    assert Pending(user_id=7, step=Step.ENROL, started=T0).expires_at() == T0 + timedelta(minutes=15)


@pytest.mark.parametrize(
    "raw", [None, "x", {}, {"uid": "x", "step": "totp", "started": T0.isoformat()}, {"uid": 1, "step": "sms"}]
)
def test_a_malformed_pending_sign_in_is_none(raw):
    assert Pending.from_dict(raw) is None


def test_wrong_codes_exhaust_a_pending_sign_in():
    p = Pending(user_id=1, step=Step.TOTP, started=T0)
    for _ in range(MAX_ATTEMPTS - 1):
        p = p.after_failure()
    assert not p.exhausted()
    assert p.after_failure().exhausted()


@pytest.mark.parametrize(
    "agent, label",
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Safari/537.36 Edg/120.0",
            "Edge · Windows",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox · Linux"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari · iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile "
            "Safari/537.36 MicroMessenger/8.0",
            "WeChat · Android",
        ),
        ("curl/8.5", ""),
        ("", ""),
    ],
)
def test_a_browser_is_named_from_its_user_agent(agent, label):
    assert browser_label(agent) == label


# --- TOTP -----------------------------------------------------------------------------------------

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_codes_are_those_of_a_standard_authenticator():
    ts = int((T0 - datetime(1970, 1, 1)).total_seconds())
    assert otp.code_at(SECRET, otp.time_step(T0)) == pyotp.TOTP(SECRET).at(ts)
    assert len(otp.new_secret()) == 32
    uri = otp.provisioning_uri(SECRET, "zhangwei", "OA Help Centre")
    assert uri.startswith("otpauth://totp/OA%20Help%20Centre:zhangwei?secret=" + SECRET)
    assert otp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_a_code_one_step_early_or_late_is_accepted_two_steps_is_not():
    step = otp.time_step(T0)
    for offset in (-1, 0, 1):
        assert otp.matching_step(SECRET, otp.code_at(SECRET, step + offset), T0, None) == step + offset
    for offset in (-2, 2):
        assert otp.matching_step(SECRET, otp.code_at(SECRET, step + offset), T0, None) is None


def test_a_code_is_never_accepted_twice_nor_one_of_an_earlier_step():
    step = otp.time_step(T0)
    code = otp.code_at(SECRET, step)
    assert otp.matching_step(SECRET, code, T0, last_step=step) is None
    assert otp.matching_step(SECRET, otp.code_at(SECRET, step - 1), T0, last_step=step) is None
    assert otp.matching_step(SECRET, otp.code_at(SECRET, step + 1), T0, last_step=step) == step + 1
    assert otp.matching_step(SECRET, code, T0, last_step=step - 1) == step


def test_typed_codes_may_carry_spaces_and_anything_else_is_refused():
    code = otp.code_at(SECRET, otp.time_step(T0))
    assert otp.matching_step(SECRET, f" {code[:3]} {code[3:]} ", T0, None) is not None
    assert otp.matching_step(SECRET, "12345", T0, None) is None
    assert otp.matching_step(SECRET, "abcdef", T0, None) is None
    assert otp.matching_step(SECRET, "", T0, None) is None


def test_ten_recovery_codes_distinct_unambiguous_and_stored_as_digests():
    codes = otp.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    for c in codes:
        assert len(c) == 11 and c[5] == "-" and otp.looks_like_recovery_code(c)
        assert not set(c) & set("01oli")
    code = codes[0]
    assert otp.recovery_digest(code) == otp.recovery_digest(code.upper().replace("-", " "))
    assert otp.recovery_digest(code) != otp.recovery_digest(codes[1])
    assert code not in otp.recovery_digest(code)
    assert not otp.looks_like_recovery_code("123456")


def test_emailed_codes_are_six_digits_and_their_digest_is_keyed_and_salted():
    code = otp.new_email_code()
    assert len(code) == 6 and code.isdigit()
    key = b"k" * 32
    assert otp.email_code_digest(key, code, "1") == otp.email_code_digest(key, f" {code} ", "1")
    assert otp.email_code_digest(key, code, "1") != otp.email_code_digest(key, code, "2")
    assert otp.email_code_digest(key, code, "1") != otp.email_code_digest(b"x" * 32, code, "1")


# --- sealing --------------------------------------------------------------------------------------


def test_a_sealed_secret_reads_back_only_with_its_key_and_unchanged():
    key = sealing.derive_key("app-secret", "totp-secret")
    sealed = sealing.seal(key, SECRET)
    assert SECRET not in sealed and sealed.startswith("s1:")
    assert sealing.unseal(key, sealed) == SECRET
    assert sealing.seal(key, SECRET) != sealed  # a fresh nonce every time
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(sealing.derive_key("another-secret", "totp-secret"), sealed)
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(sealing.derive_key("app-secret", "another-purpose"), sealed)
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(key, tampered)
    for junk in ("", "s1:", "s1:!!!", "v9:abc", SECRET):
        with pytest.raises(sealing.Unreadable):
            sealing.unseal(key, junk)
