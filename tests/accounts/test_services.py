"""Account services: opening and changing accounts, the import (dry run, all or nothing, CSV in GBK
and with a BOM), closing an account with its hand-over, departments and regions, tokens."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import closing, importing, records, services
from portal.approvals.models import ApprovalEvent, Delegation
from portal.audit.models import AuditEvent
from portal.auth import services as auth_services
from portal.auth import sessions
from portal.auth.models import ApiToken, Department, User
from portal.core import clock
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.extensions import db
from portal.notify.models import Notification
from portal.tickets.models import TicketEvent
from tests import factories as f

T0 = datetime(2027, 3, 1, 2, 0)  # a Monday, 10:00 in Shanghai


@pytest.fixture
def audit(db_app):
    """The audit trail so far, as dicts (before, after and detail read back from their JSON)."""

    def trail() -> list[dict]:
        return [
            {
                "action": e.action,
                "actor": e.actor_name,
                "subject": e.subject_name,
                "target": e.target,
                **{k: json.loads(getattr(e, k)) for k in ("before", "after", "detail") if getattr(e, k)},
            }
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]

    return trail


@pytest.fixture
def admin(db_app):
    return f.user("admin", display_name="系统管理员", roles=["admin"])


def users() -> set[str]:
    return set(db.session.scalars(select(User.username)))


# --- opening and changing ---------------------------------------------------------------------


def test_an_account_with_a_generated_password_shown_once(admin, audit):
    dept, east = f.department("finance", "财务部"), f.region("east", "华东区")
    boss = f.user("boss", position="manager")
    data = services.NewAccount(
        username=" ZhangSan ",
        display_name="张三",
        email="zs@example.cn",
        department_id=dept.id,
        region_id=east.id,
        position="supervisor",
        superior="boss",
        roles=["support"],
    )
    opened = services.open_account(data, admin)
    user = opened.user
    assert (user.username, user.department, user.region, user.superior, user.roles) == (
        "zhangsan",
        dept,
        east,
        boss,
        ["employee", "support"],
    )
    assert opened.password and auth_services.authenticate("zhangsan", opened.password) == user
    assert user.must_change_password  # an initial password: replaced at the first sign-in
    assert audit() == [
        {
            "action": "user_created",
            "actor": "admin",
            "subject": "zhangsan",
            "target": "user:zhangsan",
            "after": records.snapshot(user),
        }
    ]


def test_a_typed_password_is_kept_and_not_shown_again(admin):
    opened = services.open_account(services.NewAccount(username="lisi", password="Start#2027x"), admin)
    assert opened.password is None and auth_services.authenticate("lisi", "Start#2027x") == opened.user
    assert opened.user.must_change_password


def test_every_bad_field_is_named_and_nothing_is_written(admin, audit):
    f.user("taken", email="taken@example.cn")
    db.session.commit()
    before = users()
    data = services.NewAccount(
        username="taken",
        password="weak",
        email="TAKEN@example.cn",
        department_id=999,
        region_id=998,
        position="boss",
        superior="nobody",
        roles=["root"],
    )
    with pytest.raises(records.AccountInputError) as caught:
        services.open_account(data, admin)
    assert set(caught.value.errors) == {
        "username",
        "password",
        "email",
        "department_id",
        "region_id",
        "position",
        "superior",
        "roles",
    }
    assert "taken" in caught.value.errors["email"] and caught.value.status == 422
    assert users() == before and audit() == []


def test_only_an_administrator_opens_accounts(db_app):
    clerk = f.user("clerk", roles=["support"])
    with pytest.raises(NotAllowed):
        services.open_account(services.NewAccount(username="x1"), clerk)


def test_a_change_records_what_was_before_and_after_roles_apart(admin, audit):
    user = f.user("wangwu", display_name="王五", roles=["support"])
    it = f.department("it", "信息中心")
    data = services.AccountInput(display_name="王五五", department_id=it.id, position="staff", roles=["engineer"])
    services.change_account(user, data, admin)
    assert user.display_name == "王五五" and user.department == it and user.roles == ["employee", "engineer"]
    update, roles = audit()
    assert (update["action"], roles["action"]) == ("user_updated", "roles_changed")
    assert update["actor"] == "admin" and update["subject"] == roles["subject"] == "wangwu"
    assert update["before"] == {"display_name": "王五", "email": "wangwu@example.com.cn", "department": None}
    assert update["after"] == {"display_name": "王五五", "email": None, "department": "it"}
    assert roles["before"] == {"roles": ["employee", "support"]} and roles["after"] == {
        "roles": ["employee", "engineer"]
    }


def test_nobody_removes_their_own_admin_role_and_the_last_admin_keeps_it(admin):
    db.session.commit()
    with pytest.raises(records.AccountInputError) as caught:
        services.change_account(admin, services.AccountInput(roles=["support"]), admin)
    assert "不能取消您自己的管理员角色" in caught.value.errors["roles"] and admin.has_role("admin")
    with pytest.raises(records.AccountInputError) as caught:
        services.set_roles(admin, ["support"], None)  # the command line: the last administrator
    assert "最后一位有效的管理员" in caught.value.errors["roles"]
    other = f.user("admin2", roles=["admin"])
    services.set_roles(other, ["trainer"], admin)
    assert other.roles == ["employee", "trainer"]


def test_a_superior_cannot_be_oneself_nor_close_a_loop(admin):
    top = f.user("top", position="manager")
    mid = f.user("mid", position="supervisor", superior=top)
    low = f.user("low", superior=mid)
    db.session.commit()
    for user, superior in ((top, "low"), (top, "mid"), (mid, "mid")):
        with pytest.raises(records.AccountInputError) as caught:
            services.change_account(user, services.AccountInput(superior=superior), admin)
        assert "superior" in caught.value.errors
    assert top.superior is None and mid.superior == top
    services.change_account(low, services.AccountInput(superior="top"), admin)
    assert low.superior == top


# --- importing ----------------------------------------------------------------------------------

GOOD = (
    "用户名,姓名,邮箱,部门,地区,职位,上级,角色,初始密码\n"
    "zhaoliu,赵六,zl@example.cn,财务部,east,部门经理,,员工,\n"
    "qianqi,钱七,qq@example.cn,finance,华东区,业务主管,zhaoliu,客服,Start#2027x\n"
    "sunba,孙八,,finance,,,qianqi,,\n"
)


@pytest.fixture
def org(admin):
    f.department("finance", "财务部")
    f.region("east", "华东区")
    f.user("lisi", email="lisi@example.cn")
    db.session.commit()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_in_utf8_with_a_bom_or_in_gbk_imports_with_superiors_further_down(org, admin, audit, encoding):
    data = GOOD.encode(encoding)
    report = importing.check_import("hr.csv", data)
    assert report.ok and [a.username for a in report.checked.accounts] == ["zhaoliu", "qianqi", "sunba"]
    done = importing.import_accounts("hr.csv", data, admin)
    by_name = {u.username: u for u in done.users}
    assert by_name["qianqi"].superior == by_name["zhaoliu"] and by_name["sunba"].superior == by_name["qianqi"]
    assert by_name["zhaoliu"].position == "manager" and by_name["zhaoliu"].department.code == "finance"
    assert by_name["qianqi"].roles == ["employee", "support"] and by_name["qianqi"].region.code == "east"
    assert [u.username for u, _p in done.passwords] == ["zhaoliu", "sunba"]  # qianqi's came in the file
    assert all(u.must_change_password for u in done.users)
    for user, password in done.passwords:
        assert auth_services.authenticate(user.username, password) == user
    assert auth_services.authenticate("qianqi", "Start#2027x") == by_name["qianqi"]
    trail = audit()
    assert [(e["action"], e["subject"]) for e in trail] == [
        ("user_created", "zhaoliu"),
        ("user_created", "qianqi"),
        ("user_created", "sunba"),
        ("users_imported", ""),
    ]
    assert trail[1]["after"]["superior"] == "zhaoliu" and trail[1]["detail"] == {"import": "hr.csv"}
    assert trail[-1]["detail"] == {
        "file": "hr.csv",
        "rows": 3,
        "users": ["qianqi", "sunba", "zhaoliu"],
        "generated_passwords": 2,
    }


def test_the_dry_run_names_each_bad_row_and_column_and_the_import_writes_nothing(org, admin, audit):
    data = (
        (
            GOOD + "lisi,重名,,,,,,,\n"  # 5: exists
            "zhaoliu,又一个,,,,,,,\n"  # 6: twice in the file
            "mail,邮件,not-mail,,,,,,\n"  # 7
            "dept,部门,,市场部,,,,,\n"  # 8
            "weak,弱,,,,,,,123\n"  # 9
        ).encode("gbk")
    )
    report = importing.check_import("hr.csv", data)
    assert not report.ok and report.checked.bad_lines == [5, 6, 7, 8, 9]
    messages = report.messages()
    assert messages == [
        "第 5 行，用户名：账号 lisi 已存在。",
        "第 6 行，用户名：zhaoliu 已出现在本文件第 2 行。",
        "第 7 行，邮箱：not-mail 不是有效的邮箱地址。",
        "第 8 行，部门：没有编码或名称为 市场部 的部门。",
        "第 9 行，初始密码：密码太短：至少需要 8 个字符。 密码至少需要一个字母。 "
        "密码至少需要一个特殊字符，如 @ # % ! ?",
    ]
    before = users()
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_accounts("hr.csv", data, admin)
    assert caught.value.report.checked.bad_lines == [5, 6, 7, 8, 9] and caught.value.status == 422
    assert users() == before and audit() == []


def test_a_failure_while_writing_the_third_account_leaves_none_of_them(org, admin, monkeypatch):
    real, made = auth_services.create_user, []

    def third_fails(spec, **kw):
        made.append(spec.username)
        if len(made) == 3:
            raise RuntimeError("the database went away")
        return real(spec, **kw)

    monkeypatch.setattr(auth_services, "create_user", third_fails)
    before = users()
    with pytest.raises(RuntimeError):
        importing.import_accounts("hr.csv", GOOD.encode(), admin)
    assert made == ["zhaoliu", "qianqi", "sunba"] and users() == before


def test_an_unreadable_file_is_one_message(admin):
    with pytest.raises(importing.ImportFileError) as caught:
        importing.check_import("hr.xls", b"whatever")
    assert caught.value.errors["file"] and caught.value.status == 422


def test_the_confirmed_import_reads_the_kept_copy_and_drops_it(org, admin):
    key = importing.stash_import(GOOD.encode())
    assert importing.stashed_import(key) == GOOD.encode()
    done = importing.import_stashed(key, "hr.csv", admin)
    assert len(done.users) == 3 and importing.stashed_import(key) is None
    with pytest.raises(Conflict):
        importing.import_stashed(key, "hr.csv", admin)
    assert importing.stashed_import("../../etc/passwd") is None


# --- closing an account on leaving --------------------------------------------------------------


@pytest.fixture
def world(db_app):
    line = f.finance_line()
    desk = f.support_desk()
    db.session.commit()
    return line, desk


def _admin() -> User:
    return db.session.scalar(select(User).where(User.username == "admin"))


def test_an_engineer_leaves_their_open_tickets_go_to_the_successor(world, audit):
    _line, desk = world
    leaver, heir = desk["wangqiang"], desk["linhui"]
    open_one = f.ticket(assignee=leaver, state="in_progress")
    waiting = f.ticket(assignee=leaver, state="waiting")
    closed = f.ticket(assignee=leaver, state="closed")
    raw, _row = f.api_token(leaver)
    db.session.commit()
    assert auth_services.user_for_token(raw) == leaver
    done = closing.close_account(leaver, heir, _admin(), note="离职", now=T0)
    assert {t.id for t in done.tickets} == {open_one.id, waiting.id}
    assert open_one.assignee == heir and waiting.assignee == heir and closed.assignee == leaver
    event = db.session.scalar(
        select(TicketEvent).where(TicketEvent.ticket_id == open_one.id, TicketEvent.kind == "assign")
    )
    assert event.target_id == heir.id and event.body == "离职" and event.data == {"from": "wangqiang", "to": "linhui"}
    assert not leaver.active and leaver.deactivated_at == T0 and done.tokens == 1
    assert auth_services.user_for_token(raw) is None
    assert db.session.scalar(
        select(Notification).where(Notification.user_id == heir.id, Notification.kind == "handover")
    )
    record = audit()[-1]
    assert record["action"] == "user_deactivated" and record["actor"] == "admin" and record["subject"] == "wangqiang"
    assert record["before"] == {"active": True} and record["after"] == {"active": False}
    assert record["detail"]["tokens_revoked"] == 1 and record["detail"]["note"] == "离职"
    assert (
        record["detail"]["tickets"] == [open_one.number, waiting.number] and record["detail"]["successor"] == "linhui"
    )


def test_closing_an_account_ends_its_signed_in_browsers_in_the_same_step(world, audit):
    line, _desk = world
    leaver = f.user("leaver")
    with clock.frozen(T0):
        sessions.open_session(leaver, remember=True)
        sessions.open_session(leaver, remember=False)
        assert len(sessions.active_for(leaver)) == 2
        done = closing.close_account(leaver, None, _admin(), now=T0)
        assert done.sessions == 2 and sessions.active_for(leaver) == []
    ended = next(e for e in audit() if e["action"] == "sessions_revoked")
    assert ended["subject"] == "leaver" and ended["detail"]["reason"] == "closed"
    assert audit()[-1]["detail"]["sessions_ended"] == 2


def test_tickets_need_an_engineer_as_successor_and_a_refusal_writes_nothing(world):
    line, desk = world
    leaver = desk["wangqiang"]
    ticket = f.ticket(assignee=leaver, state="in_progress")
    db.session.commit()
    for heir, word in ((None, "请指定接任人"), (line.staff, "不是工程师"), (leaver, "必须是其他人")):
        with pytest.raises(records.AccountInputError) as caught:
            closing.close_account(leaver, heir, _admin())
        assert word in caught.value.errors["successor"]
    assert leaver.active and ticket.assignee == leaver


def _delegation(approver: User, delegate: User, starts: date, ends: date) -> Delegation:
    d = Delegation(approver_id=approver.id, delegate_id=delegate.id, starts=starts, ends=ends)
    db.session.add(d)
    db.session.flush()
    return d


def test_a_supervisor_leaves_steps_delegations_and_reports_go_to_the_successor(world):
    line, _desk = world
    leaver = line.supervisor  # 蒋涛: zhangwei's and shenyue's superior
    heir = f.user(
        "newsup", display_name="新主管", position="supervisor", department=line.department, superior=line.manager
    )
    with clock.frozen(T0):
        req = f.approval_request(line.staff, now=T0)
    step = next(s for s in req.current_steps if s.approver_id == leaver.id)
    assert step.state == "pending"
    gave = _delegation(leaver, line.manager, date(2027, 3, 5), date(2027, 3, 9))
    got = _delegation(f.user("sup2", position="supervisor"), leaver, date(2027, 3, 1), date(2027, 3, 20))
    over = _delegation(leaver, line.manager, date(2027, 2, 1), date(2027, 2, 10))  # already over: stays as it was
    db.session.commit()

    with clock.frozen(T0):
        done = closing.close_account(leaver, heir, None, now=T0)
    assert done.approvals.steps == [step] and step.approver == heir
    assert [d.id for d in done.approvals.ended] == [gave.id] and gave.revoked and not over.revoked
    assert [d.id for d in done.approvals.passed] == [got.id] and got.delegate_id == heir.id and not got.revoked
    moved = db.session.scalar(
        select(ApprovalEvent).where(ApprovalEvent.request_id == req.id, ApprovalEvent.kind == "handed_over")
    )
    assert moved.data == {"from": leaver.username, "to": "newsup", "position": "supervisor"} and moved.actor_id is None
    assert {u.username for u in done.reports} == {"zhangwei", "shenyue"}
    assert line.staff.superior == heir
    todo = db.session.scalars(select(Notification.kind).where(Notification.user_id == heir.id)).all()
    assert "approval_todo" in todo and "delegation" in todo and "handover" in todo


def test_nobody_takes_over_a_step_of_their_own_request_or_a_second_step(world):
    line, _desk = world
    with clock.frozen(T0):
        req = f.approval_request(line.staff, amount="200,000", now=T0)  # supervisor, then manager
    steps = {s.approver_id: s.state for s in req.current_steps}
    assert steps == {line.supervisor.id: "pending", line.manager.id: "waiting"}
    db.session.commit()
    with pytest.raises(records.AccountInputError) as caught:
        closing.close_account(line.supervisor, line.staff, None)  # 张伟 asked for it
    assert req.number in caught.value.errors["successor"] and "本人提交的申请" in caught.value.errors["successor"]
    with pytest.raises(records.AccountInputError) as caught:
        closing.close_account(line.supervisor, line.manager, None)  # 钱红 decides the next step
    assert req.number in caught.value.errors["successor"] and "另一个节点" in caught.value.errors["successor"]
    db.session.expire_all()
    assert {s.approver_id for s in req.current_steps} == set(steps) and line.supervisor.active


def test_a_division_leader_hands_their_departments_to_the_successor(world):
    line, _desk = world
    leader = line.division_leader
    heir = f.user("newleader", position="division_leader")
    db.session.commit()
    done = closing.close_account(leader, heir, None)
    led = {d.code for d in done.departments}
    assert led == {"finance", "procurement"}
    for code in led:
        assert db.session.scalar(select(Department).where(Department.code == code)).division_leader == heir
    assert line.manager.superior == heir  # reported to the leader


def test_a_report_who_succeeds_moves_up_a_level_and_loops_are_refused(world):
    line, _desk = world
    db.session.commit()
    done = closing.close_account(line.manager, line.supervisor, None)  # 蒋涛 succeeds 钱红
    assert line.supervisor.superior == line.division_leader and done.reports == [line.supervisor]


def test_a_failure_after_the_tickets_moved_leaves_everything_as_it_was(world, monkeypatch):
    _line, desk = world
    leaver, heir = desk["wangqiang"], desk["linhui"]
    ticket = f.ticket(assignee=leaver, state="in_progress")
    raw, _row = f.api_token(leaver)
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("approvals are down")

    monkeypatch.setattr(closing.approval_services, "hand_over", broken)
    with pytest.raises(RuntimeError):
        closing.close_account(leaver, heir, _admin())
    db.session.expire_all()
    assert ticket.assignee == leaver and leaver.active and auth_services.user_for_token(raw) == leaver


def test_nothing_to_hand_over_needs_no_successor_and_reopening_keeps_tokens_revoked(world):
    line, _desk = world
    lonely = f.user("lonely")
    raw, _row = f.api_token(lonely)
    gave = _delegation(line.supervisor, lonely, date(2027, 3, 1), date(2027, 3, 3))
    db.session.commit()
    with pytest.raises(records.AccountInputError):
        closing.close_account(lonely, None, None, now=T0)  # stands in for 蒋涛: needs a successor
    gave.revoked = True
    db.session.commit()
    closing.close_account(lonely, None, None, now=T0)
    assert not lonely.active
    with pytest.raises(Conflict):
        closing.close_account(lonely, None, None)
    closing.reopen_account(lonely, None)
    assert lonely.active and lonely.deactivated_at is None and auth_services.user_for_token(raw) is None
    with pytest.raises(Conflict):
        closing.reopen_account(lonely, None)


def test_an_administrator_never_closes_their_own_account_nor_the_last_one(world):
    admin = _admin()
    with pytest.raises(NotAllowed):
        closing.close_account(admin, None, admin)
    with pytest.raises(Conflict):
        closing.close_account(admin, None, None)


# --- departments, regions ---------------------------------------------------------------------------


def test_codes_are_unique_whatever_their_case_and_a_leader_must_be_active(admin, audit):
    dept = services.save_unit("department", None, "finance", "财务部", admin)
    db.session.commit()
    with pytest.raises(records.AccountInputError) as caught:
        services.save_unit("department", None, "FINANCE", "", admin)
    assert set(caught.value.errors) == {"code", "name"}
    gone = f.user("gone", active=False)
    leader = f.user("leader", position="division_leader")
    db.session.commit()
    with pytest.raises(records.AccountInputError) as caught:
        services.save_unit("department", dept, "finance", "财务部", admin, leader_id=gone.id)
    assert "division_leader_id" in caught.value.errors
    services.save_unit("department", dept, "fin", "财务中心", admin, leader_id=leader.id)
    assert (dept.code, dept.name, dept.division_leader) == ("fin", "财务中心", leader)
    created, changed = audit()
    assert created["action"] == changed["action"] == "department_changed" and "before" not in created
    assert changed["target"] == f"department:{dept.id}"
    assert changed["before"] == {"code": "finance", "name": "财务部", "division_leader": None}
    assert changed["after"] == {"code": "fin", "name": "财务中心", "division_leader": "leader"}
    region = services.save_unit("region", None, "east", "华东区", admin)
    assert region.code == "east" and audit()[-1]["action"] == "region_changed"


# --- tokens -------------------------------------------------------------------------------------------


def test_a_token_expires_and_a_revoked_one_is_refused(db_app, audit):
    owner = f.user("robotowner")
    with clock.frozen(T0):
        raw, row = services.create_token(owner, "chat robot", 30, owner)
        assert row.expires_at == T0 + timedelta(days=30)
        assert auth_services.user_for_token(raw) == owner
    with clock.frozen(T0 + timedelta(days=30)):
        assert auth_services.user_for_token(raw) is None
    forever, row2 = services.create_token(owner, "script", 0, owner)
    assert row2.expires_at is None and auth_services.user_for_token(forever) == owner
    services.revoke_token(row2, owner)
    assert row2.revoked and row2.revoked_at and auth_services.user_for_token(forever) is None
    assert [e["action"] for e in audit()] == ["token_created", "token_created", "token_revoked"]
    assert audit()[-1]["before"]["revoked"] is False and audit()[-1]["after"]["revoked"] is True


def test_tokens_of_others_are_no_business_of_an_employee(db_app):
    owner, other = f.user("owner1"), f.user("other1")
    _raw, row = f.api_token(owner)
    db.session.commit()
    with pytest.raises(NotFound):
        services.revoke_token(row, other)
    with pytest.raises(NotAllowed):
        services.create_token(owner, "x", 30, other)
    with pytest.raises(InvalidInput) as caught:
        services.create_token(owner, "", 7, owner)
    assert set(caught.value.errors) == {"label", "days"}
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_an_expired_token_gets_401_from_the_api(db_app, db_client):
    owner = f.user("apiuser")
    with clock.frozen(T0):
        raw, _row = services.create_token(owner, "robot", 30, owner)
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    with clock.frozen(T0 + timedelta(days=1)):
        assert db_client.get("/api/v1/me", headers=headers).status_code == 200
    with clock.frozen(T0 + timedelta(days=31)):
        assert db_client.get("/api/v1/me", headers=headers).status_code == 401
