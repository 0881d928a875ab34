"""The ticket pages through the test client: filing, deflection, the ledger, the queue, access."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.kb.models import Category
from tests import factories as f
from tests.conftest import HTMX


@pytest.fixture(autouse=True)
def world(db_app):
    """张伟 of 财务部 (华东区), 黄磊 of another department, the service desk, the seeded
    categories, one FAQ the deflection can offer and a few others around it."""
    f.department("finance", "财务部")
    f.user("zhangwei", display_name="张伟", department="finance", region="east")
    f.user("huanglei", display_name="黄磊", department="office", region="north")
    desk = f.support_desk()
    login = f.category("登录问题")
    for name in ("权限问题", "数据错误", "操作指南"):
        f.category(name)
    faq = f.article(
        "忘记OA登录密码怎么办？",
        "忘记密码时可以在登录页点击“忘记密码”，通过手机验证码重置。",
        category=login,
    )
    f.reindex(faq, *f.filler_articles())
    db.session.commit()  # a savepoint only
    return {"login": login, "faq": faq, **desk}


@pytest.fixture
def client(db_client):
    return db_client


def file_ticket(client, auth, title="OA 登录提示账号已锁定", **extra):
    token = auth.csrf("/tickets/new")
    data = {
        "csrf_token": token,
        "title": title,
        "description": "连续输错密码后账号被锁",
        "category_id": str(db.session.scalar(select(Category.id).where(Category.name == "登录问题"))),
        "severity": "normal",
        "contact": "13800000000",
        **extra,
    }
    r = client.post("/tickets/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def act(client, auth, ticket_id, action, body=""):
    token = auth.csrf(f"/tickets/{ticket_id}")
    return client.post(f"/tickets/{ticket_id}/action", data={"csrf_token": token, "action": action, "body": body})


def test_anonymous_visitors_sign_in_first(client):
    assert client.get("/tickets/new").status_code == 302
    assert client.get("/tickets/queue").status_code == 302


def test_form_is_prefilled_from_the_search_and_suggests_answers_while_typing(client, auth):
    auth.login("zhangwei")
    page = client.get("/tickets/new?title=忘记密码").get_data(as_text=True)
    assert 'value="忘记密码"' in page
    fragment = client.get("/tickets/suggest", query_string={"title": "忘记密码怎么办"}, headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and 'id="deflection"' in html and "<mark>" in html
    assert "<html" not in html


def test_search_results_link_to_a_prefilled_ticket(client, auth):
    auth.login("zhangwei")
    html = client.get("/?q=打印机卡纸").get_data(as_text=True)
    assert "/tickets/new?title=" in html


def test_this_solved_it_counts_a_deflection_and_files_nothing(client, auth, world):
    auth.login("zhangwei")
    token = auth.csrf("/tickets/new")
    faq = world["faq"].id
    r = client.post(
        "/tickets/deflect",
        data={"csrf_token": token, "article_id": str(faq), "url": f"/kb/articles/{faq}", "title": "忘记密码"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/kb/articles/{faq}")
    from portal.tickets.models import Deflection

    assert db.session.query(Deflection).filter_by(title="忘记密码").count() == 1
    r = client.post("/tickets/deflect", data={"csrf_token": token, "url": "https://evil.example/"})
    assert r.headers["Location"] == "/"


def test_invalid_form_keeps_what_was_typed(client, auth, world):
    auth.login("zhangwei")
    token = auth.csrf("/tickets/new")
    r = client.post(
        "/tickets/new",
        data={
            "csrf_token": token,
            "title": "",
            "description": "这段描述不能丢",
            "category_id": str(world["login"].id),
            "severity": "normal",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "这段描述不能丢" in html and 'aria-invalid="true"' in html


def category_select(html: str) -> str:
    return re.search(r'<select[^>]*id="category_id".*?</select>', html, re.S).group(0)


def test_no_category_is_preselected(client, auth):
    auth.login("zhangwei")
    select = category_select(client.get("/tickets/new").get_data(as_text=True))
    assert re.search(r"<select[^>]*\brequired\b", select)
    options = re.findall(r"<option[^>]*>", select)
    assert 'value=""' in options[0] and "selected" in options[0]  # the placeholder, first and chosen
    assert not [o for o in options[1:] if "selected" in o]


def test_a_ticket_without_a_category_is_refused_and_keeps_what_was_typed(client, auth, world):
    auth.login("zhangwei")
    token = auth.csrf("/tickets/new")
    base = {"csrf_token": token, "title": "打印机卡纸", "description": "三楼打印机", "severity": "urgent"}
    r = client.post("/tickets/new", data={**base, "category_id": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="category_id-error"' in html
    assert 'value="打印机卡纸"' in html and "三楼打印机" in html
    assert re.search(r'<input checked[^>]*value="urgent"', html)
    r = client.post("/tickets/new", data={**base, "title": "", "category_id": str(world["login"].id)})
    chosen = re.findall(r"<option[^>]*selected[^>]*>", category_select(r.get_data(as_text=True)))
    assert r.status_code == 422 and chosen == [f'<option selected value="{world["login"].id}">']
    assert client.post("/tickets/new", data={**base, "category_id": "x"}).status_code == 422


def test_the_whole_life_of_a_ticket(client, auth):
    auth.login("zhangwei")
    ticket_id = file_ticket(client, auth)
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "OA 登录提示账号已锁定" in page and 'id="status"' in page
    auth.logout()
    auth.login("lina")  # support
    assert act(client, auth, ticket_id, "ask", "请提供出错截图").status_code == 302
    token = auth.csrf(f"/tickets/{ticket_id}")
    client.post(
        f"/tickets/{ticket_id}/reply", data={"csrf_token": token, "body": "已联系 LDAP 管理员", "internal": "y"}
    )
    auth.logout()
    auth.login("zhangwei")
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "请提供出错截图" in page, "the requester sees why support waits"
    assert "已联系 LDAP 管理员" not in page, "internal notes stay internal"
    token = auth.csrf(f"/tickets/{ticket_id}")
    r = client.post(
        f"/tickets/{ticket_id}/reply",
        data={"csrf_token": token, "body": "截图见附件", "attachments": (io.BytesIO(b"\x89PNG"), "截图.png")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    auth.logout()
    auth.login("lina")
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "已联系 LDAP 管理员" in page and "截图.png" in page
    assert act(client, auth, ticket_id, "resolve", "已在统一身份平台解锁").status_code == 302
    assert act(client, auth, ticket_id, "resolve", "再点一次").status_code == 409
    auth.logout()
    auth.login("zhangwei")
    token = auth.csrf(f"/tickets/{ticket_id}")
    r = client.post(f"/tickets/{ticket_id}/rate", data={"csrf_token": token, "rating": "5", "comment": "很快"})
    assert r.status_code == 302
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "★★★★★" in page and "已在统一身份平台解锁" in page


def test_another_employee_cannot_read_find_or_change_a_ticket(client, auth):
    auth.login("zhangwei")
    ticket_id = file_ticket(client, auth, title="工资条显示异常请核对", description="本月工资条金额与银行到账不符")
    auth.logout()
    auth.login("huanglei")
    assert client.get(f"/tickets/{ticket_id}").status_code == 404
    token = auth.csrf("/")
    for path, data in [
        (f"/tickets/{ticket_id}/reply", {"body": "x"}),
        (f"/tickets/{ticket_id}/action", {"action": "close", "body": "x"}),
        (f"/tickets/{ticket_id}/rate", {"rating": "1"}),
        (f"/tickets/{ticket_id}/files/1", None),
    ]:
        r = client.post(path, data={"csrf_token": token, **data}) if data else client.get(path)
        assert r.status_code == 404, path
    assert client.post(f"/tickets/{ticket_id}/manage", data={"csrf_token": token}).status_code == 403
    found = client.get("/api/v1/search?q=工资条显示异常").get_json()
    assert not [h for h in found["results"] if h["kind"] == "case"]
    auth.logout()
    auth.login("zhangwei")
    found = client.get("/api/v1/search?q=工资条显示异常").get_json()
    assert [h for h in found["results"] if h["kind"] == "case"], "the requester finds their own ticket"


def test_a_shared_solved_ticket_is_a_past_case_for_everyone(client, auth):
    auth.login("zhangwei")
    ticket_id = file_ticket(client, auth, title="公文附件预览出现乱码", description="打开公文附件时中文显示乱码")
    auth.logout()
    auth.login("lina")
    act(client, auth, ticket_id, "resolve", "在浏览器设置中将默认编码改为 UTF-8 后恢复正常")
    token = auth.csrf(f"/tickets/{ticket_id}")
    r = client.post(
        f"/tickets/{ticket_id}/manage",
        data={"csrf_token": token, "assignee": "0", "complexity": "simple", "shareable": "y"},
    )
    assert r.status_code == 302
    auth.logout()
    auth.login("huanglei")
    hits = client.get("/api/v1/search?q=公文附件乱码").get_json()["results"]
    case = [h for h in hits if h["kind"] == "case"]
    assert case and case[0]["url"].endswith(f"/tickets/{ticket_id}")
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "UTF-8" in page and "13800000000" not in page, "a past case shows the solution, not the person"
    assert 'id="reply"' not in page


def test_queue_is_for_support_with_filters_and_bulk_assignment(client, auth):
    auth.login("zhangwei")
    first = file_ticket(client, auth, title="考勤打卡记录缺失", severity="urgent")
    second = file_ticket(client, auth, title="邮箱无法收信")
    assert client.get("/tickets/queue").status_code == 403
    auth.logout()
    auth.login("lina")
    html = client.get("/tickets/queue?severity=urgent").get_data(as_text=True)
    assert "考勤打卡记录缺失" in html and "邮箱无法收信" not in html
    fragment = client.get("/tickets/queue?severity=normal", headers=HTMX).get_data(as_text=True)
    assert "邮箱无法收信" in fragment and "<html" not in fragment
    token = auth.csrf("/tickets/queue")
    page = client.get("/tickets/queue").get_data(as_text=True)
    songyu = re.search(r'<option value="(\d+)">宋宇', page).group(1)
    r = client.post(
        "/tickets/queue/assign", data={"csrf_token": token, "ticket": [str(first), str(second)], "assignee": songyu}
    )
    assert r.status_code == 303
    html = client.get(f"/tickets/queue?assignee={songyu}").get_data(as_text=True)
    assert "考勤打卡记录缺失" in html and "邮箱无法收信" in html
    r = client.post("/tickets/queue/assign", data={"csrf_token": token, "assignee": songyu})
    assert r.status_code == 303  # nothing selected: a message, nothing changes
    auth.logout()
    auth.login("wangqiang")  # an engineer reads the queue but does not dispatch
    assert client.get("/tickets/queue").status_code == 200
    token = auth.csrf("/tickets/queue")
    assert (
        client.post(
            "/tickets/queue/assign", data={"csrf_token": token, "ticket": str(first), "assignee": songyu}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("query", ["state=bogus&sort=nope&risk=x&region=abc&page=-3", "q=T000001", "risk=breached"])
def test_queue_survives_odd_filters(client, auth, query):
    auth.login("lina")
    assert client.get(f"/tickets/queue?{query}").status_code == 200


def test_my_tickets_and_the_navigation_count(client, auth):
    auth.login("zhangwei")
    file_ticket(client, auth, title="移动端审批页面空白")
    html = client.get("/tickets/").get_data(as_text=True)
    assert "移动端审批页面空白" in html
    assert 'class="badge"' in html
    done = client.get("/tickets/?state=done").get_data(as_text=True)
    assert "移动端审批页面空白" not in done


def test_calendar_is_for_admins(client, auth):
    auth.login("zhangwei")
    assert client.get("/tickets/calendar").status_code == 403
    auth.logout()
    auth.login("admin")
    token = auth.csrf("/tickets/calendar")
    r = client.post("/tickets/calendar", data={"csrf_token": token, "day": "2026-13-01", "kind": "holiday"})
    assert r.status_code == 422
    r = client.post(
        "/tickets/calendar", data={"csrf_token": token, "day": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert r.status_code == 302
    assert "2027-01-01" in client.get("/tickets/calendar").get_data(as_text=True)


def test_top_faqs_page(client):
    assert client.get("/tickets/top-faqs").status_code == 200
