"""Checking an import's rows (pure): every kind of problem, named by row and column, and the rows
that are ready when there is none."""

from __future__ import annotations

from portal.accounts.checking import Known, check, parse_roles
from portal.auth.passwords import Policy

KNOWN = Known(
    usernames={"admin": True, "lisi": True, "gone": False},
    emails={"lisi@example.cn": "lisi"},
    department_codes={"finance": 1, "it": 2, "sales-n": 3, "sales-s": 4},
    department_names={"财务部": (1,), "信息中心": (2,), "销售部": (3, 4)},
    region_codes={"east": 10},
    region_names={"华东": (10,)},
)


def rows(*cells: dict) -> list[tuple[int, dict]]:
    return [(i + 2, c) for i, c in enumerate(cells)]


def problems(checked) -> list[tuple[int, str, str]]:
    return [(p.line, p.field, p.code) for p in checked.problems]


def test_good_rows_become_accounts_by_code_or_name_with_words_for_positions_and_roles():
    checked = check(
        rows(
            {
                "username": " ZhangSan ",
                "display_name": "张三",
                "email": "zs@example.cn",
                "department": "财务部",
                "region": "EAST",
                "position": "业务主管",
                "superior": "lisi",
                "roles": "客服、engineer",
            },
            {"username": "wangwu", "department": "it", "superior": "ZHANGSAN", "password": "Start#2027x"},
        ),
        KNOWN,
    )
    assert checked.problems == []
    first, second = checked.accounts
    assert (first.username, first.display_name, first.department_id, first.region_id, first.position) == (
        "zhangsan",
        "张三",
        1,
        10,
        "supervisor",
    )
    assert first.roles == ("employee", "engineer", "support") and first.superior == "lisi" and first.password is None
    assert (second.display_name, second.position, second.superior, second.password) == (
        "wangwu",
        "staff",
        "zhangsan",
        "Start#2027x",
    )


def test_every_kind_of_problem_is_named_by_row_and_column():
    checked = check(
        rows(
            {"username": ""},  # 2
            {"username": "张三"},  # 3
            {"username": "admin"},  # 4
            {"username": "dup", "email": "dup@example.cn"},  # 5
            {"username": "DUP", "email": "DUP@example.cn"},  # 6
            {"username": "mail", "email": "not-an-address"},  # 7
            {"username": "taken", "email": "LiSi@example.cn"},  # 8
            {"username": "dept", "department": "市场部", "region": "华北"},  # 9
            {"username": "ambig", "department": "销售部"},  # 10
            {"username": "pos", "position": "老板", "roles": "客服, 老板, root"},  # 11
            {"username": "sup", "superior": "nobody"},  # 12
            {"username": "closed", "superior": "gone"},  # 13
            {"username": "me", "superior": "me"},  # 14
            {"username": "weak", "password": "weak"},  # 15
            {"username": "long", "display_name": "名" * 81},  # 16
        ),
        KNOWN,
    )
    assert problems(checked) == [
        (2, "username", "required"),
        (3, "username", "bad_username"),
        (4, "username", "exists"),
        (6, "username", "duplicate_in_file"),
        (6, "email", "duplicate_in_file"),
        (7, "email", "bad_email"),
        (8, "email", "email_taken"),
        (9, "department", "unknown_department"),
        (9, "region", "unknown_region"),
        (10, "department", "ambiguous_department"),
        (11, "position", "unknown_position"),
        (11, "roles", "unknown_role"),
        (12, "superior", "unknown_superior"),
        (13, "superior", "inactive_superior"),
        (14, "superior", "self_superior"),
        (15, "password", "weak_password"),
        (16, "display_name", "too_long"),
    ]
    by_line = {(p.line, p.field): p for p in checked.problems}
    assert by_line[(6, "username")].details == {"row": 5} and by_line[(6, "username")].value == "DUP"
    assert by_line[(8, "email")].details == {"user": "lisi"}
    assert by_line[(11, "roles")].value == "老板、root"
    assert set(by_line[(15, "password")].details["rules"]) >= {"too_short", "no_digit", "no_special"}
    assert [a.username for a in checked.accounts] == ["dup"]  # the only row without a problem


def test_a_loop_of_superiors_inside_the_file_is_named_on_each_of_its_rows():
    checked = check(
        rows(
            {"username": "a", "superior": "b"},
            {"username": "b", "superior": "c"},
            {"username": "c", "superior": "a"},
            {"username": "d", "superior": "a"},  # below the loop, not in it
        ),
        KNOWN,
    )
    assert problems(checked) == [
        (2, "superior", "superior_cycle"),
        (3, "superior", "superior_cycle"),
        (4, "superior", "superior_cycle"),
    ]
    assert [a.username for a in checked.accounts] == ["d"]


def test_a_password_may_not_contain_the_user_name_and_follows_the_configured_length():
    checked = check(rows({"username": "zhangsan", "password": "Zhangsan#2027"}), KNOWN)
    assert checked.problems[0].details == {"rules": ("contains_username",), "min_length": 8}
    longer = check(rows({"username": "lisi2", "password": "Start#2027"}), KNOWN, Policy(min_length=12))
    assert longer.problems[0].details == {"rules": ("too_short",), "min_length": 12}


def test_role_words():
    assert parse_roles("管理员 / Senior Engineer；培训师") == (["admin", "senior_engineer", "trainer"], [])
    assert parse_roles("客服 工程师, 老板") == (["support", "engineer"], ["老板"])
    assert parse_roles("") == ([], [])
