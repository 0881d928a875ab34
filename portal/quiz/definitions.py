"""A level's definition as trainers edit it (pure): what was typed in, typed values or the reason
each field cannot be accepted. Whether the bank can fill the draw is checked by the service."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from portal.quiz.drawing import KINDS, LEVELS

LAYOUTS = ("one", "all")
PARTIAL_CREDIT = ("none", "proportional", "penalty")
LATE_POLICIES = ("grade_at_limit", "refuse")
MAX_DRAWS = 8
LIMITS = {
    "time_limit_minutes": (1, 300),
    "pass_mark": (1, 100),
    "attempts_allowed": (1, 20),
    "wait_hours": (0, 24 * 365),
    "validity_months": (1, 120),
}
_SPLIT = re.compile(r"[,，;；、\s]+")


def _int(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


def clean_definition(form: Mapping, level: str, draw_rows: Sequence[tuple[str, str, str]]) -> tuple[dict, dict]:
    """`form` holds the single fields; `draw_rows` the (kind, tags, count) rows, empty ones ignored."""
    values: dict = {}
    errors: dict[str, str] = {}
    title = str(form.get("title") or "").strip()
    if not title:
        errors["title"] = _("Give the certification a title.")
    elif len(title) > 120:
        errors["title"] = _("The title may have at most %(n)d characters.", n=120)
    values["title"] = title
    for name, (low, high) in LIMITS.items():
        number = _int(form.get(name))
        if number is None or not low <= number <= high:
            errors[name] = _("A whole number from %(low)d to %(high)d.", low=low, high=high)
        values[name] = number
    prerequisite = str(form.get("prerequisite_level") or "").strip() or None
    if prerequisite is not None and (prerequisite not in LEVELS or LEVELS.index(prerequisite) >= LEVELS.index(level)):
        errors["prerequisite_level"] = _("The prerequisite is a lower level.")
    values["prerequisite_level"] = prerequisite
    for name, allowed in (("layout", LAYOUTS), ("partial_credit", PARTIAL_CREDIT), ("late_policy", LATE_POLICIES)):
        value = str(form.get(name) or "")
        if value not in allowed:
            errors[name] = _("Choose one of the options.")
        values[name] = value
    edition = str(form.get("edition") or "").strip()
    if len(edition) > 60:
        errors["edition"] = _("The edition may have at most %(n)d characters.", n=60)
    values["edition"] = edition
    values["active"] = str(form.get("active") or "") in ("on", "1", "true", "y")
    draws = []
    for i, (kind, tags, count) in enumerate(draw_rows):
        kind, tags, count = (kind or "").strip(), (tags or "").strip(), (count or "").strip()
        if not (kind or tags or count):
            continue
        number = _int(count)
        if kind and kind not in KINDS:
            errors[f"draw_{i}"] = _("Row %(n)d: choose a question type.", n=i + 1)
        elif number is None or not 1 <= number <= 100:
            errors[f"draw_{i}"] = _("Row %(n)d: the count is a whole number from 1 to 100.", n=i + 1)
        else:
            row = {"count": number}
            if kind:
                row["kind"] = kind
            if words := [t for t in _SPLIT.split(tags) if t]:
                row["tags"] = words
            draws.append(row)
    if len(draws) > MAX_DRAWS:
        errors["draws"] = _("At most %(n)d draw rows.", n=MAX_DRAWS)
    elif not draws and not any(k.startswith("draw_") for k in errors):
        errors["draws"] = _("Say which questions a paper draws: at least one row.")
    values["draws"] = draws
    return values, errors
