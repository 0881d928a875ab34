"""`portal users import | deactivate | reactivate | set-roles | tokens`: the same services as the pages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import services as auth_services
from portal.auth.models import User
from portal.extensions import db
from tests import factories as f


@pytest.fixture
def cli(db_app):
    runner = db_app.test_cli_runner()
    return lambda *args: runner.invoke(args=["users", *args])


@pytest.fixture
def world(db_app):
    it = f.department("it", "信息中心")
    f.user("admin", roles=["admin"], department=it)
    f.user("boss", position="manager", department=it)
    f.user("linhui", roles=["engineer"], department=it)
    f.user("wangqiang", roles=["engineer"], department=it)
    db.session.commit()


def user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def test_import_dry_run_then_the_import_prints_generated_passwords_once(cli, world, tmp_path):
    file = tmp_path / "hr.csv"
    file.write_bytes(
        "用户名,姓名,部门,上级,初始密码\nzhaoliu,赵六,it,boss,\nqianqi,钱七,信息中心,zhaoliu,Start#2027x\n".encode(
            "gbk"
        )
    )
    dry = cli("import", str(file), "--dry-run")
    assert dry.exit_code == 0 and "2 account(s) would be opened" in dry.output and user("zhaoliu") is None
    done = cli("import", str(file))
    assert done.exit_code == 0, done.output
    lines = [line.split("\t") for line in done.output.splitlines() if "\t" in line]
    assert [name for name, _password in lines] == ["zhaoliu"]
    assert auth_services.authenticate("zhaoliu", lines[0][1]) == user("zhaoliu")
    assert user("qianqi").superior == user("zhaoliu")


def test_import_with_a_bad_row_names_it_and_imports_nothing(cli, world, tmp_path):
    file = tmp_path / "hr.csv"
    file.write_text("用户名,邮箱\nfine,fine@example.cn\nboss,bad-mail\n", encoding="utf-8-sig")
    result = cli("import", str(file))
    assert result.exit_code == 1
    assert "第 3 行，用户名：账号 boss 已存在。" in result.output
    assert "第 3 行，邮箱：bad-mail 不是有效的邮箱地址。" in result.output
    assert "nothing imported" in result.output and user("fine") is None
    unreadable = tmp_path / "hr.txt"
    unreadable.write_text("x")
    assert cli("import", str(unreadable)).exit_code == 1


def test_deactivate_hands_over_and_reactivate(cli, world):
    ticket = f.ticket(assignee=user("wangqiang"), state="in_progress")
    db.session.commit()
    refused = cli("deactivate", "wangqiang")
    assert refused.exit_code == 1 and "接任人" in refused.output and user("wangqiang").active
    done = cli("deactivate", "wangqiang", "--successor", "linhui")
    assert done.exit_code == 0 and "1 ticket(s)" in done.output and "to linhui" in done.output
    db.session.expire_all()
    assert not user("wangqiang").active and ticket.assignee == user("linhui")
    assert cli("deactivate", "wangqiang").exit_code == 1  # closed already
    assert cli("reactivate", "wangqiang").exit_code == 0
    db.session.expire_all()
    assert user("wangqiang").active
    assert cli("deactivate", "ghost", "--successor", "linhui").exit_code == 1


def test_set_roles_keeps_employee_and_the_last_admin(cli, world):
    result = cli("set-roles", "boss", "trainer", "curator")
    assert result.exit_code == 0 and "boss: curator, employee, trainer" in result.output
    last = cli("set-roles", "admin", "employee")
    assert last.exit_code == 1 and "最后一位有效的管理员" in last.output
    assert cli("set-roles", "boss", "root").exit_code == 2  # not a role


def test_tokens_list_and_revoke(cli, world):
    raw, token = f.api_token(user("linhui"), label="robot")
    db.session.commit()
    listed = json.loads(cli("tokens", "list", "--json", "--user", "linhui").output)
    assert listed == [
        {
            "id": token.id,
            "user": "linhui",
            "label": "robot",
            "created_at": token.created_at.isoformat(),
            "last_used_at": None,
            "expires_at": None,
            "state": "active",
        },
    ]
    assert "robot" in cli("tokens", "list").output
    revoked = cli("tokens", "revoke", str(token.id))
    assert revoked.exit_code == 0 and auth_services.user_for_token(raw) is None
    assert json.loads(cli("tokens", "list", "--json").output)[0]["state"] == "revoked"
    assert cli("tokens", "revoke", "99999").exit_code == 1


def test_token_create_with_an_expiry(db_app, world):
    runner = db_app.test_cli_runner()
    raw = runner.invoke(args=["token", "create", "--username", "linhui", "--days", "30"]).output.strip()
    assert auth_services.user_for_token(raw) == user("linhui")
    listed = json.loads(runner.invoke(args=["users", "tokens", "list", "--json"]).output)
    assert listed[0]["expires_at"] is not None


def test_the_auth_commands_that_open_accounts_and_tokens_are_recorded_too(db_app, world):
    runner = db_app.test_cli_runner()
    made = runner.invoke(args=["users", "create", "--username", "cliuser", "--password", "Start#2027x"])
    assert made.exit_code == 0, made.output
    runner.invoke(args=["token", "create", "--username", "cliuser", "--label", "robot"])
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_name == "cliuser")).all()
    assert [(e.action, e.actor_name, e.target.split(":")[0]) for e in events] == [
        ("user_created", "", "user"),
        ("token_created", "", "token"),
    ]
