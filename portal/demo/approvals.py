"""Demo approval requests: every state, the fast track, a return and resubmission, a withdrawal,
reminders and overdue steps, replayed on a clock so the lists, the live route and the statistics
show a few weeks of history."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from portal.approvals import config, queries, services
from portal.approvals.models import ApprovalRequest
from portal.auth.models import Department, User
from portal.core.clock import utcnow
from portal.extensions import db

DATA = Path(__file__).parent / "data" / "approvals.json"


def _day(value: str, today: date) -> str:
    return (today + timedelta(days=int(value))).isoformat()


def _fields(raw: dict, today: date, departments: dict[str, int]) -> dict:
    out = {}
    for name, value in raw.items():
        if isinstance(value, dict):  # a date range, relative to today
            out[f"{name}_start"], out[f"{name}_end"] = _day(value["start"], today), _day(value["end"], today)
        elif name in ("occurred_on",):
            out[name] = _day(value, today)
        elif name in ("target_department", "department"):
            out[name] = departments[value]
        else:
            out[name] = value
    return out


def load_approvals(now: datetime | None = None) -> int:
    if db.session.scalar(select(func.count(ApprovalRequest.id))):
        return 0
    now = (now or utcnow()).replace(second=0, microsecond=0)
    users = {u.username: u for u in db.session.scalars(select(User))}
    departments = {d.code: d.id for d in db.session.scalars(select(Department))}
    scenarios = json.loads(DATA.read_text(encoding="utf-8"))
    with current_app.test_request_context():  # links in the notifications
        for s in sorted(scenarios, key=lambda s: -s["age"]):
            t0 = now - timedelta(hours=s["age"])
            raw = _fields(s["fields"], config.local_day(t0), departments)
            if "amount" in s:
                raw["amount"] = str(s["amount"])
            requester = users[s["who"]]
            req, _draft = services.submit_request(s["template"], s["title"], raw, requester, now=t0)
            for action, hours, *comment in s["steps"]:
                at = t0 + timedelta(hours=hours)
                if action == "withdraw":
                    services.withdraw(req, requester, comment[0] if comment else "", now=at)
                elif action == "resubmit":
                    services.resubmit(req, requester, req.title, raw, now=at)
                else:
                    step = queries.pending_step(req)
                    services.decide(req, step.approver, action, comment[0] if comment else "", now=at)
        services.send_reminders(now)  # reminders and overdue marks as of now
    return len(scenarios)
