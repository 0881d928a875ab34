import pytest

from portal.auth.passwords import password_problems


def test_strong_password_passes():
    assert password_problems("Demo@2026") == []


@pytest.mark.parametrize(
    "password,problem",
    [
        ("De@1", "too_short"),
        ("12345678@", "no_letter"),
        ("Password@", "no_digit"),
        ("Password1", "no_special"),
    ],
)
def test_each_rule(password, problem):
    assert problem in password_problems(password)


def test_password_must_not_contain_the_username():
    assert "contains_username" in password_problems("zhangwei@2026", "zhangwei")
