"""Words trainees and trainers read for levels, kinds, attempt and certificate states (translated when shown)."""

from __future__ import annotations

from flask_babel import gettext as _


def level_label(level: str) -> str:
    return {"beginner": _("Beginner"), "intermediate": _("Intermediate"), "advanced": _("Advanced")}.get(level, level)


def kind_label(kind: str) -> str:
    return {
        "single": _("Single choice"),
        "multiple": _("Multiple choice"),
        "true_false": _("True or false"),
        "practical": _("Practical task"),
    }.get(kind, kind)


def state_label(state: str) -> str:
    return {
        "in_progress": _("in progress"),
        "pending_review": _("waiting for review"),
        "passed": _("passed"),
        "failed": _("not passed"),
        "expired": _("handed in too late"),
    }.get(state, state)


def certificate_state_label(state: str) -> str:
    """A certificate's state as the verification page and the trainers' report say it."""
    return {
        "valid": _("Valid"),
        "expiring": _("Expires soon"),
        "expired": _("Expired"),
        "revoked": _("Revoked"),
    }.get(state, state)


HELPERS = {
    "quiz_level_label": level_label,
    "quiz_kind_label": kind_label,
    "quiz_state_label": state_label,
}
