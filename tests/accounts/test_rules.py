"""The account rules (pure): names, addresses, generated passwords, role changes, superior chains, tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.accounts import rules

NOW = datetime(2027, 3, 1, 9, 0)


@pytest.mark.parametrize("name", ["zhangwei", "zhang.wei", "zhang_wei2", "a" * 64])
def test_user_names_that_pass(name):
    assert rules.valid_username(name)


@pytest.mark.parametrize("name", ["", "张伟", "zhang wei", "zhang-wei", "a@b", "a" * 65])
def test_user_names_that_do_not(name):
    assert not rules.valid_username(name)


@pytest.mark.parametrize("email", ["a@b.cn", "zhang.wei+oa@corp.example.com.cn"])
def test_addresses_that_pass(email):
    assert rules.valid_email(email)


@pytest.mark.parametrize(
    "email", ["zhangwei", "a@b", "a b@c.cn", "a@b.cn,c@d.cn", "@b.cn", "a@b.", "x" * 120 + "@b.cn"]
)
def test_addresses_that_do_not(email):
    assert not rules.valid_email(email)


@pytest.mark.parametrize("code", ["finance", "IT-01", "east.2"])
def test_codes(code):
    assert rules.valid_code(code) and not rules.valid_code("财务部") and not rules.valid_code("-x")


def test_everyone_stays_an_employee_and_unknown_roles_are_named():
    assert rules.with_employee(["admin", "support"]) == ["admin", "employee", "support"]
    assert rules.unknown_roles(["support", "boss", "root"]) == ["boss", "root"]


def test_nobody_takes_their_own_admin_role_away_and_the_last_admin_keeps_it():
    assert rules.role_change_problem(1, 1, ["admin", "employee"], ["employee"], 3) == "own_admin"
    assert rules.role_change_problem(2, 1, ["admin", "employee"], ["employee"], 0) == "last_admin"
    assert rules.role_change_problem(None, 1, ["admin"], ["employee"], 0) == "last_admin"
    assert rules.role_change_problem(2, 1, ["admin", "employee"], ["employee"], 1) is None
    assert rules.role_change_problem(1, 1, ["employee"], ["admin", "employee"], 0) is None


def test_a_superior_is_never_oneself_nor_closes_a_loop():
    chain = {1: 2, 2: 3, 3: None, 4: None}  # 1 reports to 2, 2 to 3
    assert rules.superior_problem(chain, 1, 1) == "self"
    assert rules.superior_problem(chain, 3, 1) == "cycle"  # 3 above 2 above 1
    assert rules.superior_problem(chain, 3, 2) == "cycle"
    assert rules.superior_problem(chain, 1, 4) is None
    assert rules.superior_problem(chain, 4, 1) is None
    assert rules.superior_problem(chain, 1, None) is None
    assert rules.superior_problem({1: 2, 2: 1}, 3, 1) is None  # a loop elsewhere does not hang


def test_token_lifetimes():
    assert rules.token_expiry(90, NOW) == NOW + timedelta(days=90)
    assert rules.token_expiry(0, NOW) is None
    assert rules.token_state(False, None, NOW) == "active"
    assert rules.token_state(False, NOW + timedelta(seconds=1), NOW) == "active"
    assert rules.token_state(False, NOW, NOW) == "expired"
    assert rules.token_state(True, None, NOW) == "revoked"
