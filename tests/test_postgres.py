"""The grown-up deployment: the same migrations, services and API on a real PostgreSQL server.

`make test` starts a throwaway cluster and sets PORTAL_TEST_DATABASE_URL.
"""

import json
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import Auth, make_config

URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not URL, reason="PORTAL_TEST_DATABASE_URL not set (make test sets it)"),
]


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    from portal.demo import loader
    from portal.search import services

    tmp = tmp_path_factory.mktemp("pg")
    app = create_app(make_config(tmp, SQLALCHEMY_DATABASE_URI=URL))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        loader.load_demo(echo=lambda *_: None)
        services.reindex()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_migrations_match_the_models_on_postgres(pg_app):
    with pg_app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_search_login_vote_and_import_on_postgres(pg_app, tmp_path):
    client = pg_app.test_client()
    hits = client.get("/api/v1/search", query_string={"q": "忘记密码"}).get_json()["results"]
    assert "密码" in hits[0]["title"]
    auth = Auth(client)
    assert auth.login("zhangwei").status_code == 303
    token = auth.csrf(f"/kb/articles/{hits[0]['id']}")
    assert (
        client.post(f"/kb/articles/{hits[0]['id']}/vote", data={"helpful": "yes", "csrf_token": token}).status_code
        == 303
    )

    rows = [
        {"external_id": f"pg-{i}", "title": f"PostgreSQL 部署验证文章{i}号", "body": "", "category": "部署"}
        for i in range(50)
    ]
    (tmp_path / "kb.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    result = pg_app.test_cli_runner().invoke(args=["import-kb", str(tmp_path / "kb.jsonl")])
    assert result.exit_code == 0 and "50 created" in result.output
    assert client.get("/api/v1/search", query_string={"q": "PostgreSQL"}).get_json()["total"] == 50
    for row in rows[::10]:
        top = client.get("/api/v1/search", query_string={"q": row["title"]}).get_json()["results"][0]
        assert top["external_id"] == row["external_id"]


def test_popular_searches_on_postgres(pg_app):
    """The log's distinct-people count and the candidate subquery, as PostgreSQL runs them."""
    from portal.search import completion

    for username in ("zhangwei", "chenjing", "jiangtao"):
        person = pg_app.test_client()
        assert Auth(person).login(username).status_code == 303
        assert person.get("/", query_string={"q": "报销单打印"}).status_code == 200
    with pg_app.app_context():
        completion.invalidate()
        assert [p.text for p in completion.popular_searches()] == ["报销单打印"]
    suggestions = pg_app.test_client().get("/api/v1/suggest", query_string={"q": "bxd"}).get_json()["suggestions"]
    assert {"text": "报销单打印", "kind": "query", "url": None} in suggestions


def test_users_list_on_postgres(pg_app):
    out = pg_app.test_cli_runner().invoke(args=["users", "list", "--json"]).output
    assert len(json.loads(out)) >= 40


def test_drafts_desk_review_and_versions_on_postgres(pg_app):
    """The demo's ticket drafts on the desk (its ordering and filters as PostgreSQL runs them), a
    review step under its row lock, a diff and a restore."""
    import re

    client = pg_app.test_client()
    auth = Auth(client)
    assert auth.login("admin").status_code == 303
    html = client.get("/kb/drafts").get_data(as_text=True)
    listed = re.findall(r'id="draft-(\d+)" data-article="\d+" data-status="(\w+)" data-origin="(\w+)"', html)
    assert len(listed) >= 3 and listed[0][1] == "review" and {o for _, _, o in listed} == {"ticket"}
    assert 'class="beside ticket-solution"' in html
    assert client.get("/kb/drafts?status=draft&origin=ticket&mine=1&category=1").status_code == 200
    waiting = int(listed[0][0])
    token = auth.csrf(f"/kb/articles/{waiting}/review")
    r = client.post(f"/kb/articles/{waiting}/review", data={"action": "publish", "csrf_token": token})
    assert r.status_code == 303
    assert client.get(f"/kb/articles/{waiting}/versions/diff?a=1&b=1").status_code == 200
    restored = client.post(f"/kb/articles/{waiting}/versions/1/restore", data={"csrf_token": token})
    assert restored.status_code == 303  # nothing to restore: the same text, said on the list
    reader = pg_app.test_client()
    assert reader.get(f"/kb/articles/{waiting}").status_code == 404  # a ticket's FAQ is internal
    assert Auth(reader).login("zhangwei").status_code == 303
    assert reader.get(f"/kb/articles/{waiting}").status_code == 200  # published: employees read it


def test_tickets_on_postgres(pg_app):
    from sqlalchemy import select, update

    from portal.tickets import services, tasks
    from portal.tickets.models import Ticket

    client = pg_app.test_client()
    token = pg_app.test_cli_runner().invoke(args=["token", "create", "--username", "zhangwei"]).output.strip()
    r = client.post(
        "/api/v1/tickets",
        headers={"Authorization": f"Bearer {token}"},
        json={"title": "PostgreSQL 上的工单", "category": "登录问题", "severity": "urgent"},
    )
    assert r.status_code == 201 and r.get_json()["assignee"] and r.get_json()["first_response_due"].endswith("+08:00")
    ticket_id = r.get_json()["id"]
    with pg_app.test_request_context():
        assert db.session.scalar(select(Ticket.state).where(Ticket.id == ticket_id)) == "pending"
        ticket = db.session.get(Ticket, ticket_id)
        with db.engine.begin() as other:  # another agent's change lands first
            other.execute(update(Ticket).where(Ticket.id == ticket_id).values(version=Ticket.version + 1))
        with pytest.raises(services.Conflict):
            services.change_state(ticket, ticket.assignee, "start")
        assert "closed" in tasks.sweep() and db.session.get(Ticket, ticket_id).events[0].kind == "created"


def test_approvals_on_postgres(pg_app):
    """The fast-track route over the API, and four simultaneous approvals of one step: one wins."""
    from tests.approvals.test_api import approve_at_once

    runner = pg_app.test_cli_runner()

    def bearer(username):
        return {
            "Authorization": "Bearer " + runner.invoke(args=["token", "create", "--username", username]).output.strip()
        }

    client = pg_app.test_client()
    r = client.post(
        "/api/v1/approvals",
        headers=bearer("zhangwei"),
        json={
            "template": "procurement",
            "title": "PostgreSQL 上的采购",
            "amount": 1_500_000,
            "fields": {"item": "存储阵列", "category": "it_equipment", "budget_code": "PG-1"},
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert [(s["approver"], s["position"]) for s in body["route"]] == [
        ("jiangtao", "supervisor"),
        ("zhouhaitao", "division_leader"),
    ]
    headers = bearer("jiangtao")
    statuses = approve_at_once(pg_app, f"/api/v1/approvals/{body['id']}/decision", headers)
    assert sorted(statuses) == [200, 409, 409, 409]
    final = client.get(f"/api/v1/approvals/{body['id']}", headers=headers).get_json()
    assert [e["kind"] for e in final["history"]] == ["submitted", "approve"]
    assert [s["state"] for s in final["route"]] == ["approved", "pending"]


def test_quiz_on_postgres(pg_app):
    """Two tabs starting the same quiz at once get one attempt; the paper is graded and reviewed."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.quiz import reviewing, services
    from portal.quiz.models import Attempt
    from tests.quiz.test_taking import start_at_once

    ids = start_at_once(pg_app, "hanbing")
    assert len(ids) == 3 and len(set(ids)) == 1
    with pg_app.test_request_context():
        attempt = db.session.get(Attempt, ids[0])
        user = attempt.user
        for item in attempt.items:
            if item.question.kind == "practical":
                services.save_answer(attempt, user, item.position, [], "搜索知识库，按步骤处理，必要时提交工单。")
            else:
                services.save_answer(attempt, user, item.position, list(item.question.answer))
        services.submit(attempt, user)
        trainer = db.session.scalar(select(User).where(User.username == "zhoulin"))
        scores = [c["points"] for i in attempt.items for c in (i.question.rubric or [])]
        reviewing.review(db.session.get(Attempt, ids[0]), trainer, scores)
        assert db.session.get(Attempt, ids[0]).state == "passed"


def test_passwords_on_postgres(pg_app, mailbox):
    """The history kept to five, a reset link used once (the claim is a conditional update), and
    the reminder query."""
    import re
    from datetime import timedelta

    from sqlalchemy import func, select

    from portal.auth import recovery, services
    from portal.auth.models import PasswordHistory, User
    from portal.core.clock import utcnow

    mailbox.configure(pg_app)
    with pg_app.test_request_context("/password/forgot", method="POST"):
        user = db.session.scalar(select(User).where(User.username == "shenyue"))
        for i in range(7):
            services.set_password(user, f"Round#{i}pass", by=user, initial=False)
        assert db.session.scalar(select(func.count()).where(PasswordHistory.user_id == user.id)) == 5
        with pytest.raises(services.WeakPassword):
            services.set_password(user, "Round#3pass", by=user, initial=False)
        recovery.request_password_reset("shenyue", locale="zh_CN")
        token = re.search(r"/password/reset/([\w-]+)", mailbox.messages[-1].get_body(("plain",)).get_content())[1]
        recovery.reset_with_link(token, "Fresh#2027pass")
        with pytest.raises(recovery.ResetLinkInvalid):
            recovery.reset_with_link(token, "Other#2027pass")
        user.password_changed_at = utcnow() - timedelta(days=80)
        db.session.commit()
        assert recovery.send_expiry_reminders() >= 1


def test_two_factor_sign_in_on_postgres(pg_app, mailbox):
    """A required authenticator set up at sign-in, a code, a trusted browser, an e-mailed code."""
    import re

    from sqlalchemy import select

    from portal.auth import authenticator, otp
    from portal.auth.models import SignInSession, TrustedDevice, User
    from tests.conftest import csrf_from

    mailbox.configure(pg_app)
    client = pg_app.test_client()
    pg_app.config["2FA_REQUIRED_ROLES"] = ("support",)
    pg_app.config["SIGNIN_NEW_NETWORK_CHECK"] = True
    try:
        assert Auth(client).login("lina").headers["Location"].endswith("/login/enrol")
        html = client.get("/login/enrol").get_data(as_text=True)
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
        code = otp.code_at(secret, otp.time_step(otp_now()))
        assert client.post("/login/enrol", data={"code": code, "csrf_token": csrf_from(html)}).status_code == 200
        assert client.get("/api/v1/me").status_code == 200
        Auth(client).logout()
        assert Auth(client).login("lina").headers["Location"].endswith("/login/verify")
        page = client.get("/login/verify").get_data(as_text=True)
        code = otp.code_at(secret, otp.time_step(otp_now()) + 1)
        r = client.post("/login/verify", data={"code": code, "trust": "y", "csrf_token": csrf_from(page)})
        assert r.status_code == 303 and client.get("/api/v1/me").status_code == 200
        Auth(client).logout()
        assert Auth(client).login("lina").headers["Location"] == "/"  # the trusted browser
        with pg_app.app_context():
            lina = db.session.scalar(select(User).where(User.username == "lina"))
            assert authenticator.is_enrolled(lina)
            assert db.session.scalar(select(TrustedDevice).where(TrustedDevice.user_id == lina.id)) is not None

        with pg_app.app_context():  # someone who never signed in, from the demo's 53
            signed = select(SignInSession.user_id)
            fresh = db.session.scalar(
                select(User.username).where(User.id.not_in(signed), User.email.is_not(None)).order_by(User.id)
            )
        other = pg_app.test_client()
        assert Auth(other).login(fresh).headers["Location"].endswith("/login/verify")  # first sign-in
        text = mailbox.messages[-1].get_body(("plain",)).get_content()
        code = re.search(r"\b(\d{6})\b", text).group(1)
        page = other.get("/login/verify").get_data(as_text=True)
        r = other.post("/login/verify", data={"code": code, "csrf_token": csrf_from(page)})
        assert r.status_code == 303 and other.get("/api/v1/me").status_code == 200
    finally:
        pg_app.config["2FA_REQUIRED_ROLES"] = ()
        pg_app.config["SIGNIN_NEW_NETWORK_CHECK"] = False


def otp_now():
    from portal.core.clock import utcnow

    return utcnow()


def test_manual_pictures_on_postgres(pg_app):
    """The demo manual's screenshots: stored with the demo, found by the texts showing them."""
    import re

    from sqlalchemy import select

    from portal.kb.models import Article

    client = pg_app.test_client()
    with pg_app.app_context():
        chapter = db.session.scalar(select(Article).where(Article.external_id == "demo-manual-01"))
        url = re.search(r"/kb/pictures/[0-9a-f]{32}\.png", chapter.body).group(0)
    assert f'src="{url}"' in client.get(f"/kb/articles/{chapter.id}").get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(url.replace("/kb/pictures/", "/kb/pictures/" + "0" * 32)).status_code == 404
