"""/approvals/stats: administrators only; charts and counts from real requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.approvals import services
from portal.approvals.models import ApprovalRequest
from portal.auth.models import User
from portal.auth.roles import Position
from portal.core.clock import utcnow
from portal.extensions import db
from tests import factories as f


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _request(
    template_key: str,
    title: str,
    raw: dict,
    requester: str,
    at,
    *,
    decide: str | None = None,
    after: timedelta = timedelta(hours=3),
):
    """Submit at `at`; then (optionally) every step decides `after` its start."""
    draft = services.prepare(template_key, title, raw, _user(requester), now=at)
    req = services.submit(draft, _user(requester), now=at)
    moment = at
    while decide and req.state == "in_progress":
        step = services.pending_step(req)
        moment = moment + after
        services.decide(
            req,
            db.session.get(User, step.approver_id),
            decide,
            "" if decide == "approve" else "not this time",
            now=moment,
        )
    return req


@pytest.fixture(autouse=True)
def world(db_app):
    """The finance line of the demo, 李雯 of 人力资源部 under 秦磊 and 朱虹, 郭鹏 of 生产运营部, and an
    administrator; no approval request yet, so the counts are only the tests' own."""
    f.finance_line()
    hr = f.department("hr", "人力资源部")
    zhuhong = f.user(
        "zhuhong", display_name="朱虹", position=Position.MANAGER, department=hr, superior=hr.division_leader
    )
    qinlei = f.user("qinlei", display_name="秦磊", position=Position.SUPERVISOR, department=hr, superior=zhuhong)
    f.user("liwen", display_name="李雯", department=hr, superior=qinlei)
    f.org_chart(
        f.department("operations", "生产运营部"),
        staff={"username": "guopeng", "display_name": "郭鹏"},
        supervisor={"username": "lijun", "display_name": "李军"},
    )
    db.session.commit()  # a savepoint only


@pytest.fixture
def client(db_client):
    return db_client


@pytest.fixture
def empty(db_app):
    assert db.session.scalar(select(ApprovalRequest.id).limit(1)) is None
    return db_app


@pytest.fixture
def with_requests(db_app):
    now = utcnow()
    with db_app.test_request_context():
        expense = {
            "category": "travel",
            "amount": "800",
            "occurred_on": (now - timedelta(days=20)).date().isoformat(),
            "invoice_count": "2",
        }
        general = {"subject": "会议室", "details": "下周部门例会"}
        _request("expense", "差旅报销", expense, "zhangwei", now - timedelta(days=10), decide="approve")
        _request(
            "expense",
            "培训报销",
            expense,
            "shenyue",
            now - timedelta(days=9),
            decide="approve",
            after=timedelta(days=5),
        )  # late: over the time limit
        _request("generic", "会议室申请", general, "liwen", now - timedelta(days=4), decide="reject")
        _request("generic", "设备申请", general, "guopeng", now - timedelta(hours=2))  # still in progress
    return db_app


def test_only_administrators_see_the_statistics(client, auth):
    assert client.get("/approvals/stats").status_code in (302, 401)  # anonymous: to the sign-in page
    auth.login("zhangwei")
    assert client.get("/approvals/stats").status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.get("/approvals/stats").status_code == 200


def test_an_empty_period_says_so(empty, client, auth):
    auth.login("admin")
    page = client.get("/approvals/stats").get_data(as_text=True)
    assert 'id="stats-empty"' in page and '<svg role="img"' not in page  # no chart (icons are svg too)


def test_the_page_shows_charts_and_counts(with_requests, client, auth):
    auth.login("admin")
    r = client.get("/approvals/stats?months=3")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'id="stats-empty"' not in page
    assert page.count('<svg role="img"') == 4 and '<title id="chart-template-title">' in page
    for name in ("Expense reimbursement", "费用报销"):
        if name in page:
            break
    else:
        pytest.fail("template name missing")
    assert ("General request" in page) or ("通用申请" in page)
    assert "财务部" in page and "人力资源部" in page  # by department
    assert '<div class="sr"><table>' in page  # the charts' data for screen readers
    assert "https://" not in page and "cdn" not in page.lower()
    counts = page.split('id="stats-summary"')[1]
    assert ">4</strong>" in counts  # four requests in the period


def test_filters_by_template_and_ignore_bad_values(with_requests, client, auth):
    auth.login("admin")
    page = client.get("/approvals/stats?template=generic&months=12").get_data(as_text=True)
    table = page.split('id="stats-templates"')[1].split("</section>")[0]
    assert "通用申请" in table or "General request" in table
    assert "费用报销" not in table and "Expense reimbursement" not in table
    assert client.get("/approvals/stats?template=nope&months=7").status_code == 200
    odd = client.get("/approvals/stats?months=abc").get_data(as_text=True)
    assert '<option value="6" selected>' in odd
