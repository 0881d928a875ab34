"""The approval pages: a request from a template with its route shown before confirming, the
to-do / in-progress / done lists with counts, deciding, returning and resubmitting, withdrawing,
comments, delegation, notifications, and what each role may see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.approvals import tasks
from portal.approvals.models import ApprovalRequest
from portal.auth.models import User
from portal.extensions import db
from portal.notify.models import Notification
from tests import factories as f


@pytest.fixture(autouse=True)
def world(db_app):
    """The demo's finance reporting line (张伟 → 蒋涛 → 钱红 → 周海涛 → gm) with a colleague, an
    administrator and a support agent; the test body runs in an app context."""
    line = f.finance_line()
    db.session.commit()  # a savepoint only: the test's transaction is rolled back afterwards
    return line


@pytest.fixture
def client(db_client):
    return db_client


def fresh(rid: int) -> ApprovalRequest:
    db.session.expire_all()
    return db.session.get(ApprovalRequest, rid)


FORM = {
    "title": "采购笔记本电脑",
    "item": "笔记本电脑 10 台",
    "category": "it_equipment",
    "budget_code": "IT-01",
    "amount": "60,000",
}


def post_form(client, auth, data, step="preview", **extra):
    token = auth.csrf("/approvals/new/procurement")
    return client.post("/approvals/new/procurement", data={**data, "step": step, "csrf_token": token, **extra})


def submit(client, auth, data=FORM, as_user="zhangwei") -> int:
    auth.login(as_user)
    preview = post_form(client, auth, data)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    fingerprint = html.split('name="route" value="')[1].split('"')[0]
    r = post_form(client, auth, data, step="confirm", route=fingerprint)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    auth.logout()
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def decide(client, auth, request_id, user, decision="approve", comment=""):
    auth.login(user)
    token = auth.csrf(f"/approvals/{request_id}")
    r = client.post(
        f"/approvals/{request_id}/decision", data={"decision": decision, "comment": comment, "csrf_token": token}
    )
    auth.logout()
    return r


def test_template_picker_and_form(client, auth):
    auth.login("zhangwei")
    html = client.get("/approvals/new").get_data(as_text=True)
    for name in ("采购申请", "请假申请", "费用报销", "通用申请"):
        assert name in html
    form = client.get("/approvals/new/procurement").get_data(as_text=True)
    assert 'name="amount"' in form and "需求部门" in form and "财务部" in form
    assert client.get("/approvals/new/travel").status_code == 404


def test_preview_shows_the_route_and_keeps_the_input(client, auth):
    auth.login("zhangwei")
    r = post_form(client, auth, {**FORM, "amount": "300000"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.index("蒋涛") < html.index("钱红") and "部门经理" in html  # supervisor, then manager
    assert "确认提交" in html and 'value="笔记本电脑 10 台"' in html
    assert db.session.scalar(select(ApprovalRequest.id).where(ApprovalRequest.title == FORM["title"])) is None


def test_invalid_input_is_shown_next_to_the_fields(client, auth):
    auth.login("zhangwei")
    r = post_form(client, auth, {**FORM, "amount": "六万", "category": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "请输入数字" in html or "输入一个数字" in html or 'id="f-amount-error"' in html
    assert 'id="f-category-error"' in html and 'value="笔记本电脑 10 台"' in html


def test_htmx_change_refreshes_only_the_route(client, auth):
    auth.login("zhangwei")
    token = auth.csrf("/approvals/new/procurement")
    r = client.post(
        "/approvals/new/procurement",
        data={**FORM, "amount": "1500000", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and 'id="route-preview"' in html
    assert "快速通道" in html and "周海涛" in html


def test_a_changed_route_is_shown_again_before_storing(client, auth):
    auth.login("zhangwei")
    r = post_form(client, auth, FORM, step="confirm", route="999:supervisor")
    assert r.status_code == 409
    assert "审批路线已变化" in r.get_data(as_text=True) or "route changed" in r.get_data(as_text=True)
    assert db.session.scalar(select(ApprovalRequest.id).where(ApprovalRequest.title == FORM["title"])) is None


def test_submit_approve_and_the_lists(world, client, auth):
    from portal.approvals import queries

    f.approval_request(world.staff, title="采购服务器", amount="1500000")  # a fast track, as in the demo
    before = queries.counts_for(db.session.scalar(select(User).where(User.username == "jiangtao")))
    rid = submit(client, auth)
    auth.login("jiangtao")
    todo = client.get("/approvals/?box=todo").get_data(as_text=True)
    assert f"A{rid:06d}" in todo
    home = client.get("/").get_data(as_text=True)
    assert f'title="待办">{before["todo"] + 1}<' in home  # the count in the navigation
    page = client.get(f"/approvals/{rid}").get_data(as_text=True)
    assert 'aria-current="step"' in page and "您的审批" in page
    auth.logout()
    r = decide(client, auth, rid, "jiangtao", "approve", "同意采购")
    assert r.status_code == 302
    auth.login("jiangtao")
    assert f"A{rid:06d}" not in client.get("/approvals/?box=todo").get_data(as_text=True)
    auth.logout()
    auth.login("zhangwei")
    done = client.get("/approvals/?box=done").get_data(as_text=True)
    mine = queries.counts_for(db.session.scalar(select(User).where(User.username == "zhangwei")))
    tab = done.split('href="/approvals/?box=in_progress"')[1].split("</a>")[0]
    assert (
        mine["in_progress"] >= 1 and f'<span class="count">({mine["in_progress"]})</span>' in tab
    )  # the demo fast track
    assert f"A{rid:06d}" in done
    assert "同意采购" in client.get(f"/approvals/{rid}").get_data(as_text=True)


def test_who_sees_what(client, auth):
    rid = submit(client, auth)
    for user, status in (
        ("zhangwei", 200),
        ("jiangtao", 200),
        ("admin", 200),
        ("shenyue", 404),
        ("qianhong", 404),
        ("lina", 404),
    ):
        auth.login(user)
        assert client.get(f"/approvals/{rid}").status_code == status, user
        auth.logout()
    assert decide(client, auth, rid, "shenyue").status_code == 404
    assert decide(client, auth, rid, "zhangwei").status_code == 403  # own request
    auth.login("admin")
    assert f"A{rid:06d}" in client.get("/approvals/?box=all").get_data(as_text=True)
    auth.logout()
    auth.login("zhangwei")  # box=all is for admins: an employee gets their to-do list
    assert "全部申请" not in client.get("/approvals/?box=all").get_data(as_text=True)


def test_double_decision_from_two_tabs(client, auth):
    rid = submit(client, auth)
    auth.login("jiangtao")
    token = auth.csrf(f"/approvals/{rid}")
    first = client.post(f"/approvals/{rid}/decision", data={"decision": "approve", "csrf_token": token})
    second = client.post(f"/approvals/{rid}/decision", data={"decision": "reject", "comment": "x", "csrf_token": token})
    assert first.status_code == 302 and second.status_code == 409
    req = fresh(rid)
    assert req.state == "approved" and [e.kind for e in req.events] == ["submitted", "approve"]


def test_return_edit_and_resubmit_takes_a_new_round(client, auth):
    rid = submit(client, auth)
    assert decide(client, auth, rid, "jiangtao", "return", "").status_code == 422  # say what to change
    assert decide(client, auth, rid, "jiangtao", "return", "请补充供应商").status_code == 302
    auth.login("zhangwei")
    assert f"A{rid:06d}" in client.get("/approvals/?box=todo").get_data(as_text=True)  # back on my list
    edit = client.get(f"/approvals/{rid}/edit").get_data(as_text=True)
    assert "请补充供应商" in edit and 'value="笔记本电脑 10 台"' in edit
    token = auth.csrf(f"/approvals/{rid}/edit")
    data = {**FORM, "amount": "300000", "supplier": "联想", "csrf_token": token}
    preview = client.post(f"/approvals/{rid}/edit", data={**data, "step": "preview"}).get_data(as_text=True)
    fingerprint = preview.split('name="route" value="')[1].split('"')[0]
    r = client.post(f"/approvals/{rid}/edit", data={**data, "step": "confirm", "route": fingerprint})
    assert r.status_code == 302
    req = fresh(rid)
    assert req.round == 2 and req.state == "in_progress" and req.fields["supplier"] == "联想"
    assert [(s.round, s.approver.username, s.state) for s in req.steps] == [
        (1, "jiangtao", "returned"),
        (2, "jiangtao", "pending"),
        (2, "qianhong", "waiting"),
    ]
    assert client.get(f"/approvals/{rid}/edit").status_code == 302  # only while returned


def test_withdraw_and_comment(client, auth):
    rid = submit(client, auth)
    auth.login("jiangtao")
    token = auth.csrf(f"/approvals/{rid}")
    assert client.post(f"/approvals/{rid}/withdraw", data={"csrf_token": token}).status_code == 403  # not his
    assert client.post(f"/approvals/{rid}/comments", data={"body": "", "csrf_token": token}).status_code == 422
    assert (
        client.post(f"/approvals/{rid}/comments", data={"body": "供应商是哪家？", "csrf_token": token}).status_code
        == 302
    )
    auth.logout()
    auth.login("zhangwei")
    token = auth.csrf(f"/approvals/{rid}")
    assert client.post(f"/approvals/{rid}/withdraw", data={"reason": "不买了", "csrf_token": token}).status_code == 302
    req = fresh(rid)
    assert req.state == "withdrawn" and [s.state for s in req.steps] == ["skipped"]
    kinds = [
        n.kind
        for n in db.session.scalars(
            select(Notification).join(User, User.id == Notification.user_id).where(User.username == "zhangwei")
        )
    ]
    assert "approval_comment" in kinds
    auth.logout()
    assert decide(client, auth, rid, "jiangtao").status_code == 409


def test_delegation_lets_a_stand_in_decide(client, auth):
    rid = submit(client, auth)
    auth.login("jiangtao")
    token = auth.csrf("/approvals/delegations")
    today = date.today()
    bad = client.post(
        "/approvals/delegations",
        data={"delegate": "jiangtao", "starts": today.isoformat(), "ends": today.isoformat(), "csrf_token": token},
    )
    assert bad.status_code == 422
    r = client.post(
        "/approvals/delegations",
        data={
            "delegate": "qianhong",
            "starts": today.isoformat(),
            "ends": (today + timedelta(days=3)).isoformat(),
            "csrf_token": token,
        },
    )
    assert r.status_code == 302
    auth.logout()
    auth.login("qianhong")
    assert f"A{rid:06d}" in client.get("/approvals/?box=todo").get_data(as_text=True)
    auth.logout()
    assert decide(client, auth, rid, "qianhong", "approve", "代为审批").status_code == 302
    req = fresh(rid)
    assert req.state == "approved" and req.events[-1].data.get("acting_for") == "jiangtao"
    # a request submitted now is routed to the stand-in directly
    rid2 = submit(client, auth)
    step = fresh(rid2).steps[0]
    assert step.approver.username == "qianhong" and step.acting_for.username == "jiangtao"


def test_no_one_decides_two_steps_of_one_request_delegation_or_not(client, auth):
    """The manager stands in for nobody but hands her step to the supervisor, who already decided
    the first: his second decision is refused, and hers still counts."""
    rid = submit(client, auth, {**FORM, "amount": "300000"})  # 蒋涛 supervisor, then 钱红 manager
    auth.login("qianhong")
    token = auth.csrf("/approvals/delegations")
    today = date.today()
    r = client.post(
        "/approvals/delegations",
        data={
            "delegate": "jiangtao",
            "starts": today.isoformat(),
            "ends": (today + timedelta(days=3)).isoformat(),
            "csrf_token": token,
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    auth.logout()
    assert decide(client, auth, rid, "jiangtao", "approve", "同意").status_code == 302
    second = decide(client, auth, rid, "jiangtao", "approve", "代钱红同意")
    assert second.status_code == 403
    assert "另一位" in second.get_data(as_text=True) or "someone else" in second.get_data(as_text=True)
    req = fresh(rid)
    assert req.state == "in_progress" and [e.kind for e in req.events].count("approve") == 1
    assert decide(client, auth, rid, "qianhong", "approve", "同意").status_code == 302
    assert fresh(rid).state == "approved"


def test_staff_cannot_delegate(client, auth):
    auth.login("zhangwei")
    token = auth.csrf("/approvals/delegations")
    r = client.post(
        "/approvals/delegations",
        data={
            "delegate": "shenyue",
            "starts": date.today().isoformat(),
            "ends": date.today().isoformat(),
            "csrf_token": token,
        },
    )
    assert r.status_code == 403


def test_reminders_and_overdue_notifications(db_app, client, auth):
    rid = submit(client, auth)
    req = fresh(rid)
    due = req.steps[0].due_at
    link = f"/approvals/{rid}"

    def sweep(at):
        with db_app.test_request_context():
            tasks.sweep(at)
        step = fresh(rid).steps[0]
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.url == link, Notification.user_id == step.approver_id)
        ).all()
        return step.reminded, step.overdue, kinds

    assert sweep(due - timedelta(hours=5)) == (False, False, ["approval_todo"])
    assert sweep(due - timedelta(hours=1)) == (True, False, ["approval_todo", "approval_due_soon"])
    assert sweep(due - timedelta(minutes=30)) == (True, False, ["approval_todo", "approval_due_soon"])  # once
    overdue = ["approval_todo", "approval_due_soon", "approval_overdue"]
    assert sweep(due + timedelta(minutes=1)) == (True, True, overdue)
    assert sweep(due + timedelta(hours=2)) == (True, True, overdue)
    notes = db.session.scalars(select(Notification).where(Notification.url == link).order_by(Notification.id)).all()
    late = {(n.user_id, n.important) for n in notes if n.kind == "approval_overdue"}
    req = fresh(rid)
    assert late == {(req.steps[0].approver_id, True), (req.requester_id, False)}  # red for the approver
    auth.login("jiangtao")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "已超时" in page and 'class="unread important"' in page
    token = auth.csrf("/notifications/")
    mine = next(n for n in notes if n.kind == "approval_overdue" and n.important)
    r = client.post(f"/notifications/{mine.id}/open", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/approvals/{rid}")
    assert client.post("/notifications/999999/open", data={"csrf_token": token}).status_code == 404


def test_route_fragment_stops_polling_when_finished(client, auth):
    rid = submit(client, auth)
    auth.login("zhangwei")
    live = client.get(f"/approvals/{rid}/route", headers={"HX-Request": "true"})
    assert live.status_code == 200 and 'hx-trigger="every 15s"' in live.get_data(as_text=True)
    auth.logout()
    decide(client, auth, rid, "jiangtao")
    auth.login("zhangwei")
    assert client.get(f"/approvals/{rid}/route", headers={"HX-Request": "true"}).status_code == 286


@pytest.mark.parametrize(
    "path",
    [
        "/approvals/",
        "/approvals/?box=in_progress",
        "/approvals/?box=done",
        "/approvals/new",
        "/approvals/delegations",
        "/notifications/",
    ],
)
def test_pages_need_a_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_an_administrator_adds_a_template_without_a_release(db_app, client, auth):
    import json
    from pathlib import Path

    folder = Path(db_app.config["APPROVAL_TEMPLATE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "travel.json").write_text(
        json.dumps(
            {
                "key": "travel",
                "version": 1,
                "name": {"zh_CN": "出差申请", "en": "Business trip"},
                "description": {"zh_CN": "出差前申请"},
                "amount_field": "budget",
                "fields": [
                    {"name": "city", "type": "text", "required": True, "label": {"zh_CN": "目的地"}},
                    {"name": "budget", "type": "money", "required": True, "label": {"zh_CN": "预算"}},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    auth.login("zhangwei")
    assert "出差申请" in client.get("/approvals/new").get_data(as_text=True)
    token = auth.csrf("/approvals/new/travel")
    r = client.post(
        "/approvals/new/travel",
        data={"title": "去深圳", "city": "深圳", "budget": "3000", "step": "preview", "csrf_token": token},
    )
    assert r.status_code == 200 and "蒋涛" in r.get_data(as_text=True)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")  # logged, the others stay
    html = client.get("/approvals/new").get_data(as_text=True)
    assert "采购申请" in html
