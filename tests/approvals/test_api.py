"""/api/v1/approvals: the routes the rules give for 50k, 300k, 800k, 1.5M and a cross-department
item; deciding over the API; a concurrent double approval records one decision."""

from __future__ import annotations

import re
import threading

import pytest

from portal.extensions import db
from tests import factories as f

ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")
ITEM = {"item": "服务器扩容", "category": "it_equipment", "budget_code": "IT-2026-07"}


@pytest.fixture
def world(db_app):
    """The demo's finance reporting line and the people around it, in a rolled-back transaction."""
    line = f.finance_line()
    db.session.commit()  # a savepoint only
    return line


@pytest.fixture
def client(world, db_client):
    return db_client


def token_maker() -> callable:
    made = {}

    def make(username: str) -> dict:
        if username not in made:
            made[username] = f.bearer(username)
            db.session.commit()
        return made[username]

    return make


@pytest.fixture
def token(world):
    return token_maker()


def submit(client, token, amount, username="zhangwei", **extra):
    body = {"template": "procurement", "title": f"采购 {amount}", "amount": amount, "fields": dict(ITEM), **extra}
    r = client.post("/api/v1/approvals", headers=token(username), json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def route_of(body):
    return [(s["approver"], s["position"]) for s in body["route"]]


@pytest.mark.parametrize(
    ("amount", "expected", "fast"),
    [
        (50_000, [("jiangtao", "supervisor")], False),
        (300_000, [("jiangtao", "supervisor"), ("qianhong", "manager")], False),
        (800_000, [("jiangtao", "supervisor"), ("qianhong", "manager"), ("zhouhaitao", "division_leader")], False),
        (1_500_000, [("jiangtao", "supervisor"), ("zhouhaitao", "division_leader")], True),
    ],
)
def test_route_by_amount(client, token, amount, expected, fast):
    body = submit(client, token, amount)
    assert route_of(body) == expected
    assert body["fast_track"] is fast
    assert body["state"] == "in_progress" and body["current_step"] == 1
    assert body["route"][0]["state"] == "pending" and all(s["state"] == "waiting" for s in body["route"][1:])
    assert ISO_OFFSET.match(body["due_at"]) and ISO_OFFSET.match(body["route"][0]["due_at"])
    assert body["amount"] == amount and body["source"] == "api"


def test_cross_department_takes_the_fast_track(client, token):
    body = submit(client, token, 20_000, target_department="procurement")
    assert route_of(body) == [("jiangtao", "supervisor"), ("zhouhaitao", "division_leader")]
    assert body["fast_track"] is True and body["route_reason"] == "cross_department"
    assert body["target_department"] == "procurement"


def test_same_department_is_not_cross(client, token):
    body = submit(client, token, 20_000, fields={**ITEM, "target_department": "财务部"})
    assert route_of(body) == [("jiangtao", "supervisor")] and not body["fast_track"]


def test_other_templates_and_minimal_fields(client, token):
    r = client.post(
        "/api/v1/approvals", headers=token("zhangwei"), json={"template": "leave", "title": "年假", "fields": {}}
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert route_of(body) == [("jiangtao", "supervisor")] and body["amount"] == 0
    assert set(body["missing_fields"]) == {"leave_type", "period", "days", "reason"}
    r = client.post(
        "/api/v1/approvals",
        headers=token("zhangwei"),
        json={"template": "generic", "title": "跨部门合作", "amount": 0, "fields": {"department": "hr"}},
    )
    assert r.status_code == 201 and r.get_json()["fast_track"] is True


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"template": "travel", "title": "x", "amount": 1}, 422, "template"),
        ({"template": "procurement", "title": "", "amount": 1, "fields": ITEM}, 422, "title"),
        ({"template": "procurement", "title": "x", "fields": ITEM}, 422, "amount"),
        ({"template": "procurement", "title": "x", "amount": -5, "fields": ITEM}, 422, "amount"),
        ({"template": "procurement", "title": "x", "amount": "很多", "fields": ITEM}, 422, "amount"),
        (
            {"template": "procurement", "title": "x", "amount": 5, "fields": {**ITEM, "category": "cars"}},
            422,
            "category",
        ),
        ({"template": "procurement", "title": "x", "amount": 5, "fields": ["a"]}, 400, None),
        ({"template": "procurement", "title": "x", "amount": True}, 400, None),
    ],
)
def test_bad_input_is_a_clear_4xx(client, token, body, status, code):
    r = client.post("/api/v1/approvals", headers=token("zhangwei"), json=body)
    assert r.status_code == status, r.get_json()
    error = r.get_json()["error"]
    assert error["message"]
    if code:
        assert code in error["code"].split(",")


def test_top_of_the_chart_has_no_approver(client, token):
    r = client.post(
        "/api/v1/approvals",
        headers=token("gm"),
        json={"template": "procurement", "title": "x", "amount": 10, "fields": ITEM},
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "route"


def test_unauthenticated(client):
    assert client.post("/api/v1/approvals", json={}).status_code == 401
    assert client.get("/api/v1/approvals/1").status_code == 401


def test_decisions_walk_the_route(client, token):
    body = submit(client, token, 300_000)
    url = f"/api/v1/approvals/{body['id']}"
    # the requester and the second approver cannot decide the first step; strangers cannot even see it
    assert client.post(url + "/decision", headers=token("zhangwei"), json={"decision": "approve"}).status_code == 403
    assert client.post(url + "/decision", headers=token("qianhong"), json={"decision": "approve"}).status_code == 403
    assert client.get(url, headers=token("shenyue")).status_code == 404
    assert client.get(url, headers=token("qianhong")).status_code == 200  # routed to them, later
    r = client.post(url + "/decision", headers=token("jiangtao"), json={"decision": "approve", "comment": "同意"})
    assert r.status_code == 200, r.get_json()
    after = r.get_json()
    assert after["route"][0]["state"] == "approved" and after["route"][1]["state"] == "pending"
    assert after["current_step"] == 2 and after["route"][0]["comment"] == "同意"
    # deciding again: no longer possible
    again = client.post(url + "/decision", headers=token("jiangtao"), json={"decision": "approve"})
    assert again.status_code == 409
    r = client.post(url + "/decision", headers=token("qianhong"), json={"decision": "approve"})
    assert r.get_json()["state"] == "approved" and r.get_json()["decided_at"]
    late = client.post(url + "/decision", headers=token("qianhong"), json={"decision": "reject", "comment": "x"})
    assert late.status_code == 409
    kinds = [e["kind"] for e in client.get(url, headers=token("zhangwei")).get_json()["history"]]
    assert kinds == ["submitted", "approve", "approve"]


def test_return_needs_a_comment_and_reject_ends_it(client, token):
    body = submit(client, token, 50_000)
    url = f"/api/v1/approvals/{body['id']}/decision"
    r = client.post(url, headers=token("jiangtao"), json={"decision": "return"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "comment"
    assert client.post(url, headers=token("jiangtao"), json={"decision": "maybe"}).status_code == 422
    assert client.post(url, headers=token("jiangtao"), json="approve").status_code == 400
    r = client.post(url, headers=token("jiangtao"), json={"decision": "reject", "comment": "预算不足"})
    assert r.get_json()["state"] == "rejected"


def test_lists_over_the_api(client, token):
    body = submit(client, token, 50_000)
    todo = client.get("/api/v1/approvals?box=todo", headers=token("jiangtao")).get_json()
    assert body["id"] in [a["id"] for a in todo["approvals"]]
    mine = client.get("/api/v1/approvals?box=in_progress", headers=token("zhangwei")).get_json()
    assert body["id"] in [a["id"] for a in mine["approvals"]]
    assert client.get("/api/v1/approvals?box=all", headers=token("zhangwei")).status_code == 400
    assert client.get("/api/v1/approvals?box=all", headers=token("admin")).status_code == 200


def approve_at_once(app, url: str, headers: dict, n: int = 4) -> list[int]:
    """n clients approve the same step at the same moment; their status codes."""
    barrier, statuses = threading.Barrier(n), []

    def approve():
        with app.test_client() as c:
            barrier.wait()
            statuses.append(c.post(url, headers=headers, json={"decision": "approve", "comment": "同意"}).status_code)

    threads = [threading.Thread(target=approve) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_concurrent_double_approval_records_one_decision(app):
    """Real commits from four connections: an empty database of its own, not the rolled-back one."""
    client = app.test_client()
    with app.app_context():
        f.finance_line()
        db.session.commit()
        token = token_maker()
        body = submit(client, token, 300_000)
        headers = token("jiangtao")
    statuses = approve_at_once(app, f"/api/v1/approvals/{body['id']}/decision", headers)
    assert sorted(statuses) == [200, 409, 409, 409]
    final = client.get(f"/api/v1/approvals/{body['id']}", headers=headers).get_json()
    assert [e["kind"] for e in final["history"]] == ["submitted", "approve"]
    assert [s["state"] for s in final["route"]] == ["approved", "pending"]


def test_openapi_describes_approvals_and_responses_match_it(client, token):
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert {"/approvals", "/approvals/{id}", "/approvals/{id}/decision"} <= set(doc["paths"])
    assert "409" in doc["paths"]["/approvals/{id}/decision"]["post"]["responses"]
    schema = {"$ref": "#/components/schemas/Approval", "components": doc["components"]}
    body = submit(client, token, 1_500_000)
    Draft202012Validator(schema).validate(body)
    decided = client.post(
        f"/api/v1/approvals/{body['id']}/decision", headers=token("jiangtao"), json={"decision": "approve"}
    ).get_json()
    Draft202012Validator(schema).validate(decided)
