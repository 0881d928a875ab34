"""What the password rules are called beside the field and in the message when one is broken."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.auth.passwords import RULES, Policy


def password_rule(code: str, policy: Policy) -> str:
    """The rule as shown beside the field (before anything is typed)."""
    return {
        "too_short": _("At least %(n)d characters", n=policy.min_length),
        "no_letter": _("At least one letter (a–z, A–Z)"),
        "no_digit": _("At least one digit (0–9)"),
        "no_special": _("At least one special character, such as @ # % ! ?"),
        "contains_username": _("Must not contain your user name"),
        "reused": _("Must not be one of your last %(n)d passwords", n=policy.history),
    }[code]


def password_problem(code: str, policy: Policy) -> str:
    """The message when the rule is broken."""
    return {
        "too_short": _("The password is too short: it needs at least %(n)d characters.", n=policy.min_length),
        "no_letter": _("The password needs at least one letter."),
        "no_digit": _("The password needs at least one digit."),
        "no_special": _("The password needs at least one special character, such as @ # % ! ?"),
        "contains_username": _("The password must not contain the user name."),
        "reused": _("This password was used recently; choose one that is not among the last %(n)d.", n=policy.history),
    }[code]


def password_rules(policy: Policy) -> list[tuple[str, str]]:
    """(code, text) of every rule in force, in the order shown."""
    return [(code, password_rule(code, policy)) for code in RULES if code != "reused" or policy.history]
