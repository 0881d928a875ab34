"""The accounts pages: who may open them, what a refused form keeps, and each page's work end to end."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import sessions
from portal.auth.models import ApiToken, Department, User
from portal.extensions import db
from tests import factories as f
from tests.conftest import HTMX, Auth, csrf_from


@pytest.fixture
def world(db_app):
    it = f.department("it", "信息中心")
    f.region("east", "华东区")
    admin = f.user("admin", display_name="系统管理员", roles=["admin"], department=it)
    boss = f.user("boss", display_name="老板", position="manager", department=it)
    worker = f.user("zhangwei", display_name="张伟", department=it, superior=boss)
    engineer = f.user("linhui", display_name="林辉", roles=["engineer"], department=it)
    db.session.commit()
    return {"admin": admin, "boss": boss, "zhangwei": worker, "linhui": engineer, "it": it}


ADMIN_PAGES = [
    "/admin/users",
    "/admin/users?q=张&status=active&role=employee",
    "/admin/users/new",
    "/admin/users/{zhangwei}",
    "/admin/users/{zhangwei}/close",
    "/admin/users/import",
    "/admin/users/import/template.xlsx",
    "/admin/users/import/template.csv",
    "/admin/departments",
    "/admin/departments/{it}",
    "/admin/regions",
    "/admin/org-chart",
    "/admin/tokens",
    "/admin/tokens?state=active&q=zhang",
]
ADMIN_POSTS = [
    "/admin/users/new",
    "/admin/users/{zhangwei}",
    "/admin/users/{zhangwei}/close",
    "/admin/users/{zhangwei}/reopen",
    "/admin/users/{zhangwei}/unlock",
    "/admin/users/{zhangwei}/reset-password",
    "/admin/users/import",
    "/admin/users/import/confirm",
    "/admin/departments",
    "/admin/departments/{it}",
    "/admin/regions",
    "/admin/tokens/{token}/revoke",
]


def url(path: str, world) -> str:
    ids = {k: v.id for k, v in world.items() if hasattr(v, "id")} | {"token": world.get("token_id", 0)}
    return path.format(**ids)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_administrators_open_every_page_employees_get_403_and_anonymous_visitors_sign_in(
    db_client, db_auth, world, path
):
    target = url(path, world)
    anonymous = db_client.get(target)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    db_auth.login("zhangwei")
    assert db_client.get(target).status_code == 403
    db_auth.logout()
    db_auth.login("admin")
    response = db_client.get(target)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_no_write_is_open_to_an_employee(db_client, db_auth, world, path):
    _raw, token = f.api_token(world["admin"])
    db.session.commit()
    world = {**world, "token_id": token.id}
    db_auth.login("zhangwei")
    response = db_client.post(url(path, world), data={"csrf_token": db_auth.csrf(), "successor": "linhui"})
    assert response.status_code == 403
    assert world["zhangwei"].active and not token.revoked


def test_the_navigation_shows_accounts_to_administrators_only(db_client, db_auth, world):
    db_auth.login("zhangwei")
    assert "/admin/users" not in page(db_client, "/") and "/account/security" in page(db_client, "/")
    assert "/account/tokens" in page(db_client, "/account/security")
    db_auth.logout()
    db_auth.login("admin")
    assert "/admin/users" in page(db_client, "/")


def test_the_list_searches_filters_pages_and_answers_htmx_with_its_rows(db_client, db_auth, world):
    for i in range(30):
        f.user(f"staff{i:02d}", display_name=f"员工{i:02d}", department=world["it"] if i % 2 else None)
    f.user("gone", display_name="离职者", active=False)
    db.session.commit()
    db_auth.login("admin")
    html = page(db_client, "/admin/users")
    assert "35 个账号" in html and 'hx-target="#user-rows"' in html and 'rel="next"' in html
    second = page(db_client, "/admin/users?page=2")  # by user name, 25 a page
    assert "staff29" in second and "zhangwei" in second and "staff20" not in second
    found = page(db_client, "/admin/users?q=员工07")
    assert "staff07" in found and "staff08" not in found
    closed = page(db_client, "/admin/users?status=closed")
    assert "离职者" in closed and "张伟" not in closed
    by_dept = page(db_client, f"/admin/users?department={world['it'].id}&role=engineer")
    assert "林辉" in by_dept and "staff01" not in by_dept and "张伟" not in by_dept
    fragment = db_client.get("/admin/users?q=nothing-like-this", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="user-rows"') and "<html" not in fragment
    assert "没有符合筛选条件的账号。" in fragment and 'href="/admin/users"' in fragment


def _form(client, path: str) -> dict:
    return {"csrf_token": csrf_from(page(client, path))}


def test_a_refused_new_account_keeps_what_was_typed_and_a_generated_password_is_shown_once(db_client, db_auth, world):
    db_auth.login("admin")
    typed = {
        **_form(db_client, "/admin/users/new"),
        "username": "admin",
        "display_name": "新同事",
        "email": "not-an-address",
        "department_id": str(world["it"].id),
        "position": "supervisor",
        "superior": "ghost",
        "roles": ["employee", "support"],
        "password_mode": "generate",
    }
    refused = db_client.post("/admin/users/new", data=typed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'value="新同事"' in html and 'value="not-an-address"' in html and 'value="ghost"' in html
    assert re.search(r'<option selected value="supervisor"|<option value="supervisor" selected', html)
    assert re.search(r'value="support"[^>]*checked|checked[^>]*value="support"', html)
    assert html.count('class="field-error"') >= 3
    assert db.session.scalar(select(User).where(User.display_name == "新同事")) is None

    typed.update(username="xintongshi", email="xin@example.cn", superior="boss")
    opened = db_client.post("/admin/users/new", data=typed)
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and opened.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret-value">([^<]+)</code>', html).group(1)
    user = db.session.scalar(select(User).where(User.username == "xintongshi"))
    assert user.superior.username == "boss" and user.roles == ["employee", "support"]
    db_auth.logout()
    assert db_auth.login("xintongshi", password.replace("&amp;", "&")).status_code == 303


def test_a_typed_password_must_be_strong(db_client, db_auth, world):
    db_auth.login("admin")
    data = {**_form(db_client, "/admin/users/new"), "username": "wang", "password_mode": "type", "password": "123"}
    refused = db_client.post("/admin/users/new", data=data)
    assert refused.status_code == 422 and 'value="wang"' in refused.get_data(as_text=True)
    data["password"] = ""
    assert db_client.post("/admin/users/new", data=data).status_code == 422
    data["password"] = "Start#2027x"
    created = db_client.post("/admin/users/new", data=data)
    assert created.status_code == 303 and "/admin/users/" in created.headers["Location"]


def test_an_account_page_changes_fields_and_refuses_a_loop_keeping_what_was_typed(db_client, db_auth, world):
    db_auth.login("admin")
    boss = world["boss"]
    path = f"/admin/users/{boss.id}"
    data = {
        **_form(db_client, path),
        "display_name": "大老板",
        "superior": "zhangwei",
        "position": "manager",
        "roles": ["employee"],
        "department_id": "0",
        "region_id": "0",
    }
    refused = db_client.post(path, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="大老板"' in html and "形成循环" in html
    assert boss.display_name == "老板"
    data["superior"] = ""
    assert db_client.post(path, data=data).status_code == 303
    assert boss.display_name == "大老板" and boss.department is None


def test_an_administrator_cannot_take_away_their_own_role_on_the_page(db_client, db_auth, world):
    db_auth.login("admin")
    path = f"/admin/users/{world['admin'].id}"
    refused = db_client.post(
        path,
        data={
            **_form(db_client, path),
            "roles": ["employee"],
            "position": "staff",
            "department_id": "0",
            "region_id": "0",
        },
    )
    assert refused.status_code == 422 and world["admin"].has_role("admin")
    assert "/close" not in page(db_client, path)  # nor close their own account


def test_closing_an_account_lists_the_hand_over_and_needs_a_successor(db_app, db_client, db_auth, world):
    worker, engineer = world["zhangwei"], world["linhui"]
    ticket = f.ticket(assignee=engineer, state="in_progress", title="打印机坏了")
    raw, _token = f.api_token(engineer)
    db.session.commit()
    db_auth.login("admin")
    path = f"/admin/users/{engineer.id}/close"
    html = page(db_client, path)
    assert ticket.number in html and "打印机坏了" in html
    refused = db_client.post(path, data={**_form(db_client, path), "note": "离职交接"})
    assert refused.status_code == 422 and "离职交接" in refused.get_data(as_text=True) and engineer.active
    not_engineer = db_client.post(path, data={**_form(db_client, path), "successor": "zhangwei", "note": "x"})
    assert not_engineer.status_code == 422 and 'value="zhangwei"' in not_engineer.get_data(as_text=True)
    unknown = db_client.post(path, data={**_form(db_client, path), "successor": "nobody"})
    assert unknown.status_code == 422 and 'value="nobody"' in unknown.get_data(as_text=True)

    heir = f.user("wangqiang", display_name="王强", roles=["engineer"])
    db.session.commit()
    done = db_client.post(path, data={**_form(db_client, path), "successor": "wangqiang", "note": "离职交接"})
    assert done.status_code == 303
    assert not engineer.active and ticket.assignee == heir
    assert db_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    after = page(db_client, f"/admin/users/{engineer.id}")
    assert "/reopen" in after and worker.active
    assert db_client.post(f"/admin/users/{engineer.id}/reopen", data=_form(db_client, "/")).status_code == 303
    assert engineer.active


def test_a_closed_account_can_no_longer_sign_in(db_client, db_auth, world):
    db_auth.login("admin")
    path = f"/admin/users/{world['zhangwei'].id}/close"
    assert db_client.post(path, data=_form(db_client, path)).status_code == 303  # nothing to hand over
    db_auth.logout()
    assert db_auth.login("zhangwei").status_code == 422


IMPORT_OK = "用户名,姓名,部门,上级\nzhaoliu,赵六,it,boss\nqianqi,钱七,信息中心,zhaoliu\n"
IMPORT_BAD = "用户名,姓名,邮箱,部门\nzhaoliu,赵六,bad-mail,it\nboss,重名,,市场部\n"


def _upload(client, text: str, encoding: str = "utf-8", name: str = "hr.csv"):
    data = {**_form(client, "/admin/users/import"), "file": (io.BytesIO(text.encode(encoding)), name)}
    return client.post("/admin/users/import", data=data, content_type="multipart/form-data")


def test_the_dry_run_page_names_every_bad_row_and_column_and_imports_nothing(db_client, db_auth, world):
    db_auth.login("admin")
    response = _upload(db_client, IMPORT_BAD, "gbk")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    table = html[html.index('id="import-problems"') :]
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>([^<]+)</td>", table)
    assert rows == [("2", "邮箱"), ("3", "用户名"), ("3", "部门")]
    assert "bad-mail" in table and "市场部" in table and "confirm" not in html
    assert db.session.scalar(select(User).where(User.username == "zhaoliu")) is None


def test_a_file_that_cannot_be_read_is_one_message(db_client, db_auth, world):
    db_auth.login("admin")
    response = _upload(db_client, "x", name="hr.pdf")
    assert response.status_code == 422 and 'id="import-problem"' in response.get_data(as_text=True)
    data = _form(db_client, "/admin/users/import")
    assert db_client.post("/admin/users/import", data=data).status_code == 422  # no file chosen


def test_a_checked_file_is_imported_on_confirmation_with_the_passwords_shown_once(db_client, db_auth, world):
    db_auth.login("admin")
    checked = _upload(db_client, IMPORT_OK, "utf-8-sig")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and 'id="import-preview"' in html
    key = re.search(r'name="key" value="([0-9a-f]{32})"', html).group(1)
    assert db.session.scalar(select(User).where(User.username == "zhaoliu")) is None  # the dry run wrote nothing
    confirm = {"csrf_token": csrf_from(html), "key": key, "filename": "hr.csv"}
    done = db_client.post("/admin/users/import/confirm", data=confirm)
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    passwords = dict(
        re.findall(r"<tr><td>(\w+)</td><td>[^<]+</td><td><code class=\"secret-value\">([^<]+)</code>", body)
    )
    assert set(passwords) == {"zhaoliu", "qianqi"}
    qianqi = db.session.scalar(select(User).where(User.username == "qianqi"))
    assert qianqi.superior.username == "zhaoliu" and qianqi.department.code == "it"
    again = db_client.post("/admin/users/import/confirm", data=confirm)  # the kept copy is gone
    assert again.status_code == 409


def test_the_templates_download(db_client, db_auth, world):
    db_auth.login("admin")
    xlsx = db_client.get("/admin/users/import/template.xlsx")
    assert "attachment" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][:3] == ["用户名", "姓名", "邮箱"]
    csv = db_client.get("/admin/users/import/template.csv")
    assert csv.data.startswith("\ufeff用户名".encode())


def test_departments_keep_codes_unique_and_keep_what_was_typed(db_client, db_auth, world):
    db_auth.login("admin")
    refused = db_client.post(
        "/admin/departments",
        data={
            **_form(db_client, "/admin/departments"),
            "code": "IT",
            "name": "另一个信息中心",
            "division_leader_id": "0",
        },
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="另一个信息中心"' in html and 'value="IT"' in html
    added = db_client.post(
        "/admin/departments",
        data={
            **_form(db_client, "/admin/departments"),
            "code": "hr",
            "name": "人力资源部",
            "division_leader_id": str(world["boss"].id),
        },
    )
    assert added.status_code == 303
    hr = db.session.scalar(select(Department).where(Department.code == "hr"))
    assert hr.division_leader == world["boss"] and "人力资源部" in page(db_client, "/admin/departments")
    path = f"/admin/departments/{hr.id}"
    assert (
        db_client.post(
            path, data={**_form(db_client, path), "code": "hr", "name": "人事部", "division_leader_id": "0"}
        ).status_code
        == 303
    )
    assert hr.name == "人事部" and hr.division_leader is None
    region = db_client.post("/admin/regions", data={**_form(db_client, "/admin/regions"), "code": "", "name": ""})
    assert region.status_code == 422


def test_the_org_chart_nests_people_under_their_superior(db_client, db_auth, world):
    db_auth.login("admin")
    html = page(db_client, "/admin/org-chart")
    section = html[html.index("信息中心") :]
    boss_at, worker_at = section.index("老板"), section.index("张伟")
    assert boss_at < worker_at and "<ul>" in section[boss_at:worker_at]


def test_my_tokens_shown_once_expiring_and_revocable_by_their_owner_only(db_app, db_client, db_auth, world):
    _raw, others = f.api_token(world["boss"])
    db.session.commit()
    db_auth.login("zhangwei")
    refused = db_client.post("/account/tokens", data={**_form(db_client, "/account/tokens"), "label": "", "days": "90"})
    assert refused.status_code == 422
    made = db_client.post(
        "/account/tokens", data={**_form(db_client, "/account/tokens"), "label": "聊天机器人", "days": "30"}
    )
    html = made.get_data(as_text=True)
    raw = re.search(r'<code class="secret-value">(pt_[^<]+)</code>', html).group(1)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    robot = db_app.test_client()  # the token alone, no session cookie
    me = robot.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert me["username"] == "zhangwei"
    again = page(db_client, "/account/tokens")
    assert "聊天机器人" in again and raw not in again  # never shown again
    mine = db.session.scalar(select(ApiToken).where(ApiToken.label == "聊天机器人"))
    assert mine.expires_at is not None
    assert db_client.post(f"/account/tokens/{others.id}/revoke", data=_form(db_client, "/")).status_code == 404
    assert not others.revoked
    assert db_client.post(f"/account/tokens/{mine.id}/revoke", data=_form(db_client, "/")).status_code == 303
    assert mine.revoked and robot.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_administrators_see_and_revoke_everyones_tokens(db_client, db_auth, world):
    _raw, token = f.api_token(world["zhangwei"], label="报表脚本")
    db.session.commit()
    db_auth.login("admin")
    html = page(db_client, "/admin/tokens")
    assert "报表脚本" in html and "张伟" in html
    assert "报表脚本" not in page(db_client, "/admin/tokens?state=revoked")
    response = db_client.post(f"/admin/tokens/{token.id}/revoke", data={**_form(db_client, "/"), "next": "//evil"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/tokens")
    assert token.revoked and "报表脚本" in page(db_client, "/admin/tokens?state=revoked")


def test_anonymous_visitors_have_no_tokens_page(db_client, world):
    response = db_client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _signed_in(db_app, username: str):
    """Another browser, signed in as `username`."""
    browser = db_app.test_client()
    assert Auth(browser).login(username).status_code == 303
    assert browser.get("/api/v1/me").status_code == 200
    return browser


def test_an_account_page_lists_its_browsers_and_signs_out_one_or_all(db_app, db_client, db_auth, world):
    worker = world["zhangwei"]
    first, second = _signed_in(db_app, "zhangwei"), _signed_in(db_app, "zhangwei")
    elsewhere = _signed_in(db_app, "boss")
    db_auth.login("admin")
    path = f"/admin/users/{worker.id}"
    html = page(db_client, path)
    rows = sessions.active_for(worker)
    assert len(rows) == 2 and html.count("/sessions/") == 2 + 1  # two rows, and "sign out everywhere"
    assert "127.0.0.1" in html
    boss_row = sessions.active_for(world["boss"])[0]
    wrong = db_client.post(f"{path}/sessions/{boss_row.id}/end", data=_form(db_client, path))
    assert wrong.status_code == 404 and elsewhere.get("/api/v1/me").status_code == 200
    newest = rows[0]
    assert db_client.post(f"{path}/sessions/{newest.id}/end", data=_form(db_client, path)).status_code == 303
    assert len(sessions.active_for(worker)) == 1
    assert {first.get("/api/v1/me").status_code, second.get("/api/v1/me").status_code} == {200, 401}
    assert db_client.post(f"{path}/sessions/end-all", data=_form(db_client, path)).status_code == 303
    assert first.get("/api/v1/me").status_code == second.get("/api/v1/me").status_code == 401
    assert "当前没有任何登录。" in page(db_client, path)


def test_an_employee_cannot_end_someone_elses_session(db_app, db_client, db_auth, world):
    boss = _signed_in(db_app, "boss")
    row = sessions.active_for(world["boss"])[0]
    db_auth.login("zhangwei")
    path = f"/admin/users/{world['boss'].id}/sessions"
    assert db_client.post(f"{path}/{row.id}/end", data=_form(db_client, "/")).status_code == 403
    assert db_client.post(f"{path}/end-all", data=_form(db_client, "/")).status_code == 403
    assert boss.get("/api/v1/me").status_code == 200


def test_opening_an_employees_account_page_is_recorded_but_not_ones_own(db_client, db_auth, world):
    db_auth.login("admin")
    page(db_client, f"/admin/users/{world['zhangwei'].id}")
    page(db_client, f"/admin/users/{world['admin'].id}")
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view_profile")).all()
    assert [(e.actor_name, e.subject_name, e.target) for e in views] == [("admin", "zhangwei", "user:zhangwei")]


def test_the_new_account_form_shows_the_password_rules(db_client, db_auth, world):
    db_auth.login("admin")
    html = page(db_client, "/admin/users/new")
    assert 'id="password-rules"' in html and 'data-rule="no_special"' in html and 'data-rule="reused"' not in html
    assert "js/password_rules.js" in html


def test_an_administrator_resets_a_password_once_and_the_old_browsers_are_signed_out(db_app, db_client, db_auth, world):
    worker = world["zhangwei"]
    browser = _signed_in(db_app, "zhangwei")
    db_auth.login("admin")
    path = f"/admin/users/{worker.id}"
    response = db_client.post(f"{path}/reset-password", data=_form(db_client, path))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret-value">([^<]+)</code>', html).group(1).replace("&amp;", "&")
    assert worker.must_change_password and browser.get("/api/v1/me").status_code == 401
    assert Auth(db_app.test_client()).login("zhangwei", password).status_code == 303
    assert "初始密码：下次登录时须修改" in page(db_client, path)
