"""Checking the rows of an account import (pure): rows of text and what the portal already holds in,
the accounts ready to create and every problem out, each named by row, column and a code.

Nothing is created unless no row has a problem, so the check names them all at once: a user
name twice in the file or already taken, an unknown or ambiguous department or region, a bad
e-mail address (or one another account has), an unknown position or role, a superior who is
neither in the file nor an active account (or is the person, or closes a loop), a weak password.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from portal.accounts import rules
from portal.accounts.sheet import FIELDS, fold
from portal.auth.passwords import Policy, password_problems
from portal.auth.roles import Position, Role

POSITION_WORDS = {
    **{p.value: p.value for p in Position},
    "staff member": "staff",
    "员工": "staff",
    "职员": "staff",
    "普通员工": "staff",
    "业务主管": "supervisor",
    "主管": "supervisor",
    "部门经理": "manager",
    "经理": "manager",
    "division leader": "division_leader",
    "分管领导": "division_leader",
}
ROLE_WORDS = {
    **{r.value: r.value for r in Role},
    "senior engineer": "senior_engineer",
    "员工": "employee",
    "客服": "support",
    "服务台": "support",
    "工程师": "engineer",
    "运维工程师": "engineer",
    "高级工程师": "senior_engineer",
    "知识管理员": "curator",
    "知识库管理员": "curator",
    "培训师": "trainer",
    "讲师": "trainer",
    "管理员": "admin",
    "系统管理员": "admin",
}
_ROLE_SPLIT = re.compile(r"[,，、;；/|]+")


@dataclass(frozen=True)
class Known:
    """What the portal already holds, as the check compares it (keys folded with sheet.fold)."""

    usernames: Mapping[str, bool] = field(default_factory=dict)  # user name -> active
    emails: Mapping[str, str] = field(default_factory=dict)  # e-mail -> whose
    department_codes: Mapping[str, int] = field(default_factory=dict)
    department_names: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    region_codes: Mapping[str, int] = field(default_factory=dict)
    region_names: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Account:
    """A row that can be created as it is."""

    line: int
    username: str
    display_name: str
    email: str | None
    department_id: int | None
    region_id: int | None
    position: str
    superior: str | None  # a user name: an existing account's or another row's
    roles: tuple[str, ...]
    password: str | None  # None: one is generated


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    code: str
    value: str = ""
    params: tuple[tuple[str, object], ...] = ()

    @property
    def details(self) -> dict[str, object]:
        return dict(self.params)


@dataclass
class Checked:
    accounts: list[Account]
    problems: list[Problem]

    @property
    def bad_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})


def _lookup(value: str, codes: Mapping[str, int], names: Mapping[str, tuple[int, ...]]) -> tuple[int | None, str]:
    """(id, '') or (None, problem code): a code first (codes are unique), then a name."""
    key = fold(value)
    if key in codes:
        return codes[key], ""
    ids = names.get(key, ())
    if len(ids) == 1:
        return ids[0], ""
    return None, "ambiguous" if ids else "unknown"


def parse_roles(value: str) -> tuple[list[str], list[str]]:
    """(roles, words that are no role) from a cell such as "客服、engineer"."""
    roles: list[str] = []
    unknown: list[str] = []
    for piece in filter(None, (p.strip() for p in _ROLE_SPLIT.split(value))):
        role = ROLE_WORDS.get(fold(piece))
        words = [(piece, role)] if role else [(w, ROLE_WORDS.get(fold(w))) for w in piece.split()]
        for word, found in words:  # "senior engineer" is one role, "客服 工程师" two
            (roles if found else unknown).append(found or word)
    return roles, unknown


@dataclass
class _Seen:
    """What earlier rows of the file held."""

    usernames: dict[str, int] = field(default_factory=dict)  # -> first row
    emails: dict[str, int] = field(default_factory=dict)
    superiors: dict[str, str] = field(default_factory=dict)  # username -> superior


def check(rows: list[tuple[int, dict[str, str]]], known: Known, policy: Policy = Policy()) -> Checked:
    """`policy`: the password policy in force (configured), for the passwords the file holds."""
    problems: list[Problem] = []
    accounts: list[Account] = []
    seen = _Seen()
    for line, cells in rows:
        found, account = _check_row(line, cells, known, seen, policy)
        problems += found
        if account is not None:
            accounts.append(account)
    problems += _superior_problems(rows, seen.superiors, seen.usernames, known)
    bad_lines = {p.line for p in problems}
    return Checked(
        accounts=[a for a in accounts if a.line not in bad_lines],
        problems=sorted(problems, key=lambda p: (p.line, FIELDS.index(p.field) if p.field in FIELDS else 99)),
    )


def _check_row(
    line: int, cells: dict[str, str], known: Known, seen: _Seen, policy: Policy
) -> tuple[list[Problem], Account | None]:
    found: list[Problem] = []

    def bad(name: str, code: str, value: str = "", **params: object) -> None:
        found.append(Problem(line, name, code, value, tuple(sorted(params.items()))))

    raw_username = cells.get("username", "")
    username = rules.normal_username(raw_username)
    if not username:
        bad("username", "required")
    elif not rules.valid_username(username):
        bad("username", "bad_username", raw_username)
    elif username in seen.usernames:
        bad("username", "duplicate_in_file", raw_username, row=seen.usernames[username])
    elif username in known.usernames:
        bad("username", "exists", raw_username)
    if username:
        seen.usernames.setdefault(username, line)

    display_name = cells.get("display_name", "") or username
    if len(display_name) > rules.DISPLAY_NAME_MAX:
        bad("display_name", "too_long", display_name, max=rules.DISPLAY_NAME_MAX)

    email = cells.get("email", "")
    if email:
        key = email.lower()
        if not rules.valid_email(email):
            bad("email", "bad_email", email)
        elif key in seen.emails:
            bad("email", "duplicate_in_file", email, row=seen.emails[key])
        elif key in known.emails:
            bad("email", "email_taken", email, user=known.emails[key])
        seen.emails.setdefault(key, line)

    department_id = region_id = None
    if value := cells.get("department", ""):
        department_id, code = _lookup(value, known.department_codes, known.department_names)
        if code:
            bad("department", f"{code}_department", value)
    if value := cells.get("region", ""):
        region_id, code = _lookup(value, known.region_codes, known.region_names)
        if code:
            bad("region", f"{code}_region", value)

    position = Position.STAFF.value
    if value := cells.get("position", ""):
        position = POSITION_WORDS.get(fold(value), "")
        if not position:
            bad("position", "unknown_position", value)

    roles, unknown = parse_roles(cells.get("roles", ""))
    if unknown:
        bad("roles", "unknown_role", "、".join(unknown))

    superior = rules.normal_username(cells.get("superior", "")) or None
    if superior and username:
        seen.superiors.setdefault(username, superior)

    password = cells.get("password", "") or None
    if password is not None and (codes := password_problems(password, username, policy)):
        bad("password", "weak_password", "", rules=tuple(codes), min_length=policy.min_length)

    if found:
        return found, None
    return found, Account(
        line=line,
        username=username,
        display_name=display_name,
        email=email or None,
        department_id=department_id,
        region_id=region_id,
        position=position,
        superior=superior,
        roles=tuple(rules.with_employee(roles)),
        password=password,
    )


def _superior_problems(rows, superiors: dict[str, str], line_of: dict[str, int], known: Known) -> list[Problem]:
    out = []
    for line, cells in rows:
        username = rules.normal_username(cells.get("username", ""))
        raw = cells.get("superior", "")
        superior = rules.normal_username(raw)
        if not superior or not username or line_of.get(username) != line:
            continue
        if superior == username:
            out.append(Problem(line, "superior", "self_superior", raw))
        elif superior in line_of:
            if _loops(username, superiors):
                out.append(Problem(line, "superior", "superior_cycle", raw))
        elif superior not in known.usernames:
            out.append(Problem(line, "superior", "unknown_superior", raw))
        elif not known.usernames[superior]:
            out.append(Problem(line, "superior", "inactive_superior", raw))
    return out


def _loops(username: str, superiors: dict[str, str]) -> bool:
    """The chain of superiors within the file comes back to `username`."""
    seen = {username}
    current = superiors.get(username)
    while current is not None and current in superiors:
        if current in seen:
            return current == username
        seen.add(current)
        current = superiors[current]
    return current == username
