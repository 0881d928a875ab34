"""POST/GET /api/v1/tickets: the same rules as the form, other people's tickets are 404."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests import factories as f


@pytest.fixture(autouse=True)
def world(db_app):
    """张伟 of 华东区, 黄磊 of another department, the service desk (王强 and 林辉 are 华东区's
    engineers) and the seeded categories, in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟", department="finance", region="east")
    f.user("huanglei", display_name="黄磊", department="office", region="north")
    desk = f.support_desk()
    for name in ("登录问题", "权限问题", "数据错误", "操作指南"):
        f.category(name)
    db.session.commit()  # a savepoint only
    return desk


@pytest.fixture
def client(db_client):
    return db_client


@pytest.fixture
def token():
    def make(username: str) -> dict:
        header = f.bearer(username)
        db.session.commit()
        return header

    return make


ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def test_create_and_read_a_ticket(client, token):
    me = token("zhangwei")
    r = client.post(
        "/api/v1/tickets",
        headers=me,
        json={
            "title": "报销单提交后一直转圈",
            "description": "点击提交后页面无响应",
            "category": "操作指南",
            "severity": "urgent",
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["state"] == "pending" and body["severity"] == "urgent"
    assert body["assignee"] in {"wangqiang", "linhui"}  # an engineer of 华东区
    for field in ("created_at", "first_response_due", "resolution_due"):
        assert ISO_OFFSET.match(body[field]), body[field]
    assert r.headers["Location"].endswith(f"/api/v1/tickets/{body['id']}")
    again = client.get(f"/api/v1/tickets/{body['id']}", headers=me)
    assert again.status_code == 200 and again.get_json()["title"] == "报销单提交后一直转圈"
    mine = client.get("/api/v1/tickets?state=open", headers=me).get_json()
    assert body["id"] in [t["id"] for t in mine["tickets"]]


def test_other_employees_ticket_is_not_found(client, token):
    r = client.post("/api/v1/tickets", headers=token("zhangwei"), json={"title": "密码忘了", "category": "login"})
    ticket_id = r.get_json()["id"]
    assert r.get_json()["category"] == "登录问题"
    other = client.get(f"/api/v1/tickets/{ticket_id}", headers=token("huanglei"))
    assert other.status_code == 404
    assert other.get_json()["error"]["status"] == 404
    assert client.get("/api/v1/tickets/999999", headers=token("huanglei")).status_code == 404
    # support staff read every ticket
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=token("lina")).status_code == 200


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"title": "", "category": "登录问题"}, 422),
        ({"title": "x", "category": "不存在的分类"}, 422),
        ({"title": "x", "category": "登录问题", "severity": "critical"}, 422),
        ({"title": ["x"], "category": "登录问题"}, 400),
        ({"title": "x" * 201, "category": "登录问题"}, 422),
    ],
)
def test_bad_input_is_a_clear_4xx(client, token, payload, status):
    r = client.post("/api/v1/tickets", headers=token("zhangwei"), json=payload)
    assert r.status_code == status
    assert r.get_json()["error"]["message"]


def test_not_json_and_not_signed_in(client, token):
    assert client.post("/api/v1/tickets", headers=token("zhangwei"), data="title=x").status_code == 400
    assert client.post("/api/v1/tickets", json={"title": "x", "category": "登录问题"}).status_code == 401
    assert client.get("/api/v1/tickets/1").status_code == 401


def test_openapi_describes_tickets(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"post", "get"} <= set(doc["paths"]["/tickets"])
    assert "get" in doc["paths"]["/tickets/{id}"]
    ticket = doc["components"]["schemas"]["Ticket"]
    assert {"id", "state", "assignee", "created_at", "first_response_due", "resolution_due"} <= set(ticket["required"])


def test_a_browser_session_needs_its_csrf_token(client, auth):
    auth.login("zhangwei")
    r = client.post("/api/v1/tickets", json={"title": "会话提交", "category": "登录问题"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf"
    token = auth.csrf("/")
    r = client.post(
        "/api/v1/tickets", json={"title": "会话提交", "category": "登录问题"}, headers={"X-CSRFToken": token}
    )
    assert r.status_code == 201
