"""The password rules (pure): strength, reuse of the last passwords, expiry, one-time passwords."""

from datetime import datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from portal.auth import passwords
from portal.auth.passwords import Policy, password_problems

T0 = datetime(2027, 1, 4, 9, 0)


def test_strong_password_passes():
    assert password_problems("Demo@2026") == []


@pytest.mark.parametrize(
    "password,problem",
    [
        ("De@1", "too_short"),
        ("12345678@", "no_letter"),
        ("密码密码12345@", "no_letter"),  # Chinese characters are not the letters the rule means
        ("Password@", "no_digit"),
        ("Password1", "no_special"),
        ("Pass word1", "no_special"),  # a space is no special character
    ],
)
def test_each_rule(password, problem):
    assert password_problems(password) == [problem]


def test_every_broken_rule_is_named_in_order():
    assert password_problems("zhang", "zhang") == ["too_short", "no_digit", "no_special", "contains_username"]


def test_password_must_not_contain_the_username_in_any_case():
    assert "contains_username" in password_problems("ZhangWei@2026", "zhangwei")
    assert "contains_username" not in password_problems("Zhang@2026", "zhangwei")


def test_the_minimum_length_comes_from_the_policy():
    assert password_problems("Ab1@5678", policy=Policy(min_length=12)) == ["too_short"]
    assert password_problems("Ab1@56789012", policy=Policy(min_length=12)) == []


def test_none_of_the_last_five_hashes_may_match():
    older = [generate_password_hash(f"Older#{i}pass", method="pbkdf2:sha256:1000") for i in range(6)]
    newest_first = older[::-1]  # Older#5pass is the current one
    policy = Policy(history=5)
    assert password_problems("Older#5pass", "", policy, newest_first) == ["reused"]
    assert password_problems("Older#1pass", "", policy, newest_first) == ["reused"]  # the fifth
    assert password_problems("Older#0pass", "", policy, newest_first) == []  # the sixth: allowed again
    assert password_problems("Older#5pass", "", Policy(history=0), newest_first) == []


def test_a_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        Policy(min_length=0)
    with pytest.raises(ValueError):
        Policy(max_age_days=-1)


def test_one_time_passwords_keep_the_policy_and_differ():
    seen = {passwords.one_time_password("zhangwei", Policy(min_length=14)) for _ in range(50)}
    assert len(seen) == 50
    for pw in seen:
        assert len(pw) == 14 and password_problems(pw, "zhangwei", Policy(min_length=14)) == []
        assert not set(pw) & set("0OoIl1")  # read off a screen: no look-alikes


def test_one_time_password_never_contains_the_user_name():
    for _ in range(200):  # a two-letter name would turn up in a few of 200 random passwords
        assert "ab" not in passwords.one_time_password("ab").lower()


def test_expiry_states():
    policy = Policy(max_age_days=90, remind_days=14)
    fresh = passwords.expiry(T0, T0 + timedelta(days=10), policy)
    assert fresh.expires_at == T0 + timedelta(days=90) and not fresh.remind and not fresh.expired
    assert fresh.days_left == 80
    soon = passwords.expiry(T0, T0 + timedelta(days=76), policy)
    assert soon.remind and soon.days_left == 14 and not soon.expired
    assert not passwords.expiry(T0, T0 + timedelta(days=75, hours=23), policy).remind
    last_day = passwords.expiry(T0, T0 + timedelta(days=89, hours=12), policy)
    assert last_day.remind and last_day.days_left == 0
    gone = passwords.expiry(T0, T0 + timedelta(days=90), policy)
    assert gone.expired and not gone.remind


def test_no_expiry_without_a_change_time_or_with_max_age_zero():
    assert passwords.expiry(None, T0, Policy()).expires_at is None
    never = passwords.expiry(T0, T0 + timedelta(days=3650), Policy(max_age_days=0))
    assert not never.expired and not never.remind and never.days_left is None


def test_one_reminder_per_password():
    policy = Policy()
    state = passwords.expiry(T0, T0 + timedelta(days=80), policy)
    assert passwords.reminder_due(state, T0, None)
    assert not passwords.reminder_due(state, T0, T0 + timedelta(days=77))  # sent for this password
    assert passwords.reminder_due(state, T0, T0 - timedelta(days=1))  # sent for the previous one
    assert not passwords.reminder_due(passwords.expiry(T0, T0 + timedelta(days=5), policy), T0, None)
