import json


def test_users_list_json_has_the_org_chart(runner):
    result = runner.invoke(args=["users", "list", "--json"])
    users = {u["username"]: u for u in json.loads(result.output)}
    assert {"admin", "zhangwei", "lina", "wangqiang", "liuyang", "chenjing"} <= users.keys()
    zhang = users["zhangwei"]
    assert zhang["department"] == "finance" and zhang["region"] == "east" and zhang["position"] == "staff"
    assert zhang["superior"] in users and users[zhang["superior"]]["position"] == "supervisor"
    roles = {r for u in users.values() for r in u["roles"]}
    assert roles == {"employee", "support", "engineer", "senior_engineer", "curator", "trainer", "admin"}
    positions = {u["position"] for u in users.values()}
    assert positions == {"staff", "supervisor", "manager", "division_leader"}


def test_users_create_validates_everything_first(runner):
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "newbie",
            "--password",
            "Start#2026x",
            "--department",
            "it",
            "--region",
            "north",
            "--superior",
            "admin",
            "--role",
            "curator",
        ]
    )
    assert ok.exit_code == 0, ok.output
    users = {u["username"]: u for u in json.loads(runner.invoke(args=["users", "list", "--json"]).output)}
    assert users["newbie"]["roles"] == ["curator", "employee"] and users["newbie"]["superior"] == "admin"
    weak = runner.invoke(
        args=["users", "create", "--username", "weak", "--password", "12345678", "--department", "nowhere"]
    )
    assert weak.exit_code == 1 and "密码至少需要" in weak.output and "unknown department" in weak.output
    dup = runner.invoke(args=["users", "create", "--username", "newbie", "--password", "Start#2026x"])
    assert "already exists" in dup.output


def test_token_authenticates_api_calls(runner, client):
    token = runner.invoke(args=["token", "create", "--username", "lina"]).output.strip()
    assert token.startswith("pt_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["username"] == "lina" and "support" in me["roles"]
    assert runner.invoke(args=["token", "create", "--username", "ghost"]).exit_code == 1
