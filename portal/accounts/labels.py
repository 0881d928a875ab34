"""The words the accounts pages show: roles, positions, token states, the import's column names
and the messages for each problem the import check and the account rules name by code."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.accounts import rules
from portal.accounts.checking import Problem
from portal.accounts.sheet import HEADER_OF, SheetError
from portal.auth.labels import password_problem
from portal.auth.passwords import MIN_LENGTH, Policy

ROLE_LABELS = {
    "employee": _l("Employee"),
    "support": _l("Support desk"),
    "engineer": lazy_pgettext("role", "Engineer"),
    "senior_engineer": _l("Senior engineer"),
    "curator": _l("Knowledge curator"),
    "trainer": _l("Trainer"),
    "admin": _l("Administrator"),
}
POSITION_LABELS = {
    "staff": _l("Staff"),
    "supervisor": _l("Business supervisor"),
    "manager": _l("Department manager"),
    "division_leader": _l("Division leader"),
}
TOKEN_STATE_LABELS = {"active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked")}
STATUS_CHOICES = [("", _l("All")), ("active", _l("Active")), ("closed", lazy_pgettext("account", "Closed"))]


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def position_label(position: str) -> str:
    return str(POSITION_LABELS.get(position, position))


def token_state_label(state: str) -> str:
    return str(TOKEN_STATE_LABELS.get(state, state))


def expiry_choices() -> list[tuple[int, str]]:
    return [(d, _("%(n)d days", n=d)) for d in rules.TOKEN_DAYS] + [(0, _("Never (until revoked)"))]


def column_label(name: str, columns: dict[str, str] | None = None) -> str:
    """A column as the file names it (or as the template does)."""
    return (columns or {}).get(name) or HEADER_OF.get(name, name)


def weak_password(codes, min_length: int = MIN_LENGTH) -> str:
    """One message per broken rule, as every other path that sets a password says it."""
    policy = Policy(min_length=min_length)
    return " ".join(password_problem(c, policy) for c in codes)


def problem_message(problem: Problem) -> str:
    d = problem.details
    v = problem.value
    return {
        "required": lambda: _("Empty: every row needs a user name."),
        "bad_username": lambda: _("%(value)s is not a user name (Latin letters, digits, '.' and '_').", value=v),
        "duplicate_in_file": lambda: _("%(value)s is already in row %(row)s of this file.", value=v, row=d.get("row")),
        "exists": lambda: _("An account %(value)s exists already.", value=v),
        "too_long": lambda: _("At most %(n)s characters.", n=d.get("max")),
        "bad_email": lambda: _("%(value)s is not an e-mail address.", value=v),
        "email_taken": lambda: _("%(value)s is the e-mail address of %(user)s already.", value=v, user=d.get("user")),
        "unknown_department": lambda: _("No department has the code or name %(value)s.", value=v),
        "ambiguous_department": lambda: _("Several departments are called %(value)s; use its code.", value=v),
        "unknown_region": lambda: _("No region has the code or name %(value)s.", value=v),
        "ambiguous_region": lambda: _("Several regions are called %(value)s; use its code.", value=v),
        "unknown_position": lambda: _(
            "Unknown position %(value)s (员工/staff, 业务主管/supervisor, 部门经理/manager, 分管领导/division_leader).",
            value=v,
        ),
        "unknown_role": lambda: _("Unknown role %(value)s.", value=v),
        "unknown_superior": lambda: _("%(value)s is neither in this file nor an account.", value=v),
        "inactive_superior": lambda: _("The account %(value)s is closed.", value=v),
        "self_superior": lambda: _("Nobody is their own superior."),
        "superior_cycle": lambda: _("The superiors in this file form a loop through %(value)s.", value=v),
        "weak_password": lambda: weak_password(d.get("rules", ()), int(d.get("min_length") or MIN_LENGTH)),
    }.get(problem.code, lambda: problem.code)()


def sheet_error_message(err: SheetError) -> str:
    p = err.params
    return {
        "file_type": lambda: _("A .%(suffix)s file cannot be imported: use .xlsx or .csv.", suffix=p.get("suffix")),
        "too_large": lambda: _("The file is larger than %(n)s MB.", n=p.get("mb")),
        "empty": lambda: _("The file is empty."),
        "encoding": lambda: _("The file is neither UTF-8 nor GBK text; save it as CSV UTF-8 or as .xlsx."),
        "csv": lambda: _("Line %(line)s of the CSV file cannot be read.", line=p.get("line")),
        "xlsx": lambda: _("This is not a readable Excel workbook (.xlsx)."),
        "no_header": lambda: _(
            "No header row found: the first sheet needs the column %(names)s.", names=p.get("names")
        ),
        "no_rows": lambda: _("The file has a header row but no accounts."),
        "too_many": lambda: _("The file has more than %(n)s rows; split it.", n=p.get("n")),
    }.get(err.code, lambda: err.code)()


_BROWSERS = (
    ("Edg/", "Edge"),
    ("MicroMessenger", "WeChat"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str) -> str:
    """ "Chrome · Windows" from a User-Agent header (the full header is the element's title)."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    system = next((name for key, name in _SYSTEMS if key in user_agent), "")
    return " · ".join(p for p in (browser, system) if p) or (user_agent[:40] or _("unknown browser"))


HELPERS = {  # for the accounts pages (their blueprint's context; approvals has a role_label of its own)
    "account_role_label": role_label,
    "position_label": position_label,
    "token_state_label": token_state_label,
    "column_label": column_label,
    "problem_message": problem_message,
    "browser_label": browser_label,
    "token_state": lambda t, now: rules.token_state(t.revoked, t.expires_at, now),
}
