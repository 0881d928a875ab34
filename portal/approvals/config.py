"""What an installation sets for approvals: the templates (shipped and local files), the time
limits, the working calendar and the local day. Read here, passed to the pure rules as values."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from portal.approvals import due
from portal.approvals import templates as tpl
from portal.core import calendar_days, clock


def templates() -> dict[str, tpl.Template]:
    """The shipped templates, overridden and extended by the *.json files an administrator puts in
    APPROVAL_TEMPLATE_DIR (no release needed; a broken file is reported at start and skipped)."""
    found = tpl.builtin()
    folder = current_app.config.get("APPROVAL_TEMPLATE_DIR")
    if folder:
        try:
            found.update(_local_templates(folder))
        except tpl.TemplateError as exc:
            current_app.logger.error("approval templates in %s not loaded: %s", folder, exc)
    return found


def _local_templates(folder: str) -> dict[str, tpl.Template]:
    path = Path(folder)
    if not path.is_dir():
        return {}
    stamp = tuple(sorted((f.name, f.stat().st_mtime_ns) for f in path.glob("*.json")))
    cache = current_app.extensions.setdefault("approval_templates", {})
    if cache.get("stamp") != stamp:
        cache.update(stamp=stamp, found=tpl.load_dir(path))
    return cache["found"]


def template(key: str) -> tpl.Template | None:
    return templates().get(key)


def limits() -> due.Limits:
    cfg = current_app.config
    return due.Limits(
        step_hours=float(cfg["APPROVAL_STEP_HOURS"]), fast_track_hours=float(cfg["APPROVAL_FAST_TRACK_HOURS"])
    )


def remind_before() -> timedelta:
    """How long before a step's due time its approver is reminded."""
    return timedelta(hours=float(current_app.config["APPROVAL_REMIND_BEFORE_HOURS"]))


def calendar():
    """Whole working days (Monday to Friday by default) with the holidays and make-up working
    days of the calendar table, which administrators keep."""
    holidays, workdays = calendar_days.exceptions()
    cfg = current_app.config
    return due.whole_day_calendar(
        weekdays=str(cfg["APPROVAL_WORK_DAYS"]), tz=cfg["BABEL_DEFAULT_TIMEZONE"], holidays=holidays, workdays=workdays
    )


def local_day(now: datetime) -> date:
    return clock.aware(now).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
