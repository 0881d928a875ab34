"""Editing a level's definition: the pure cleaning, and the page with the bank check."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from portal.auth.roles import Role
from portal.core.clock import utcnow
from portal.extensions import db
from portal.quiz.definitions import clean_definition
from tests import factories as f

GOOD = {
    "title": "OA 系统中级认证",
    "time_limit_minutes": "30",
    "pass_mark": "70",
    "attempts_allowed": "2",
    "wait_hours": "72",
    "validity_months": "24",
    "prerequisite_level": "beginner",
    "layout": "all",
    "partial_credit": "penalty",
    "late_policy": "grade_at_limit",
    "edition": "2026Q4",
    "active": "on",
}
ROWS = [("single", "", "4"), ("multiple", "审批，权限", "3"), ("", "", ""), ("practical", "", "1")]


def test_a_good_definition(app):
    with app.test_request_context():
        values, errors = clean_definition(GOOD, "intermediate", ROWS)
    assert errors == {}
    assert values["draws"] == [
        {"count": 4, "kind": "single"},
        {"count": 3, "kind": "multiple", "tags": ["审批", "权限"]},
        {"count": 1, "kind": "practical"},
    ]
    assert values["pass_mark"] == 70 and values["active"] is True and values["prerequisite_level"] == "beginner"


@pytest.mark.parametrize(
    ("change", "rows", "field"),
    [
        ({"title": ""}, ROWS, "title"),
        ({"pass_mark": "101"}, ROWS, "pass_mark"),
        ({"pass_mark": "六十"}, ROWS, "pass_mark"),
        ({"time_limit_minutes": "0"}, ROWS, "time_limit_minutes"),
        ({"wait_hours": "-1"}, ROWS, "wait_hours"),
        ({"prerequisite_level": "advanced"}, ROWS, "prerequisite_level"),
        ({"prerequisite_level": "intermediate"}, ROWS, "prerequisite_level"),
        ({"layout": "grid"}, ROWS, "layout"),
        ({"late_policy": "ignore"}, ROWS, "late_policy"),
        ({}, [("", "", "")], "draws"),
        ({}, [("essay", "", "2")], "draw_0"),
        ({}, [("single", "", "0")], "draw_0"),
    ],
)
def test_bad_definitions(app, change, rows, field):
    with app.test_request_context():
        _values, errors = clean_definition({**GOOD, **change}, "intermediate", rows)
    assert field in errors


@pytest.fixture
def world(db_app):
    """An employee, the trainer 周琳, the demo's three levels with a bank for each (the
    intermediate multiple-choice questions tagged 审批 and 权限), and 李雯, who has used her three
    beginner attempts, as in the demo; in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟")
    f.user("shenyue", display_name="沈悦")
    trainer = f.user("zhoulin", display_name="周琳", roles=[Role.TRAINER])
    levels = f.demo_levels()
    f.question_bank("beginner", created_by=trainer)
    f.question_bank("intermediate", multiple=0, created_by=trainer)
    f.question_bank("intermediate", single=0, true_false=0, practical=0, tags=["审批", "权限"], created_by=trainer)
    f.question_bank("advanced", created_by=trainer)
    liwen = f.user("liwen", display_name="李雯")
    for days in (30, 20, 10):
        started = utcnow() - timedelta(days=days)
        f.attempt(
            liwen,
            levels["beginner"],
            state="failed",
            started_at=started,
            submitted_at=started + timedelta(minutes=15),
            finished_at=started + timedelta(minutes=15),
            score=Decimal("40"),
            passed=False,
        )
    db.session.commit()  # a savepoint only


@pytest.fixture
def client(world, db_client):
    return db_client


def form(**change):
    data = MultiDict({**GOOD, **change})
    for kind, tags, count in ROWS:
        data.add("draw_kind", kind)
        data.add("draw_tags", tags)
        data.add("draw_count", count)
    return data


def test_the_page_checks_the_bank_and_saves(client, auth):
    auth.login("zhangwei")
    assert client.get("/quiz/certifications/intermediate").status_code == 403
    auth.logout()
    auth.login("zhoulin")
    page = client.get("/quiz/certifications/intermediate").get_data(as_text=True)
    assert "OA 系统中级认证" in page
    token = auth.csrf("/quiz/certifications/intermediate")
    too_many = form(csrf_token=token)
    too_many.setlist("draw_count", ["40", "3", "", "1"])
    r = client.post("/quiz/certifications/intermediate", data=too_many)
    assert r.status_code == 422 and "题库" in r.get_data(as_text=True)
    r = client.post("/quiz/certifications/intermediate", data=form(csrf_token=token, pass_mark="75"))
    assert r.status_code == 302
    assert "75%" in client.get("/quiz/").get_data(as_text=True)
    assert client.get("/quiz/certifications/expert").status_code == 404


def test_a_trainer_grants_an_extra_attempt(client, auth):
    auth.login("liwen")  # the demo trainee out of attempts
    assert "已用完" in client.get("/quiz/").get_data(as_text=True)
    auth.logout()
    auth.login("zhoulin")
    token = auth.csrf("/quiz/")
    r = client.post(
        "/quiz/extra-attempts", data={"username": "liwen", "level": "beginner", "reason": "", "csrf_token": token}
    )
    assert r.status_code == 422
    r = client.post(
        "/quiz/extra-attempts",
        data={"username": "liwen", "level": "beginner", "reason": "培训后复考", "csrf_token": token},
    )
    assert r.status_code == 302
    auth.logout()
    auth.login("liwen")
    page = client.get("/quiz/").get_data(as_text=True)
    assert "开始初级考试" in page
    auth.logout()
    auth.login("shenyue")  # not a trainer
    token = auth.csrf("/quiz/")
    r = client.post(
        "/quiz/extra-attempts", data={"username": "liwen", "level": "beginner", "reason": "x", "csrf_token": token}
    )
    assert r.status_code == 403
