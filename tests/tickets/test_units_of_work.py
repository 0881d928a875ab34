"""A refused ticket post changes nothing: each service is one unit of work, so a form whose later
field is bad leaves the ticket, its ledger and the file store exactly as they were."""

from __future__ import annotations

import logging
import re
from datetime import datetime

import pytest
from sqlalchemy import func, inspect, select, update

from portal.auth.models import User
from portal.core import jobs
from portal.core.uploads import Upload, path_of
from portal.extensions import db
from portal.kb.models import Category
from portal.tickets import queries, services, tasks
from portal.tickets.models import Attachment, Ticket, TicketEvent, TicketPause

MON_0900 = datetime(2026, 11, 23, 1, 0)  # Monday 09:00 in Shanghai, naive UTC


def file_ticket(client, auth, title: str) -> int:
    token = auth.csrf("/tickets/new")
    data = {
        "csrf_token": token,
        "title": title,
        "description": "从今天上午开始",
        "category_id": "1",
        "severity": "normal",
    }
    r = client.post("/tickets/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def act(client, auth, ticket_id: int, action: str, body: str = ""):
    token = auth.csrf(f"/tickets/{ticket_id}")
    return client.post(f"/tickets/{ticket_id}/action", data={"csrf_token": token, "action": action, "body": body})


def snapshot(app, ticket_id: int) -> dict:
    """Everything stored about a ticket, read in a fresh session (nothing cached from the request)."""
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        columns = [a.key for a in inspect(Ticket).column_attrs]
        out = {
            "ticket": {key: getattr(ticket, key) for key in columns},
            "events": [
                (e.id, e.kind, e.actor_id, e.body, e.internal, e.data, e.target_id, e.created_at)
                for e in db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id))
            ],
            "pauses": [
                (p.id, p.started_at, p.ended_at)
                for p in db.session.scalars(select(TicketPause).where(TicketPause.ticket_id == ticket_id))
            ],
            "attachments": [
                (a.id, a.stored_name)
                for a in db.session.scalars(select(Attachment).where(Attachment.ticket_id == ticket_id))
            ],
            "all_events": db.session.scalar(select(func.count(TicketEvent.id))),
        }
        db.session.remove()
        return out


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def other_engineer(app, ticket_id: int) -> int:
    """An active (non-senior) engineer who does not have the ticket yet."""
    with app.app_context():
        current = db.session.get(Ticket, ticket_id).assignee_id
        return next(u.id for u in queries.engineers() if u.id != current and u.has_role("engineer"))


def selected(html: str, value: str) -> bool:
    return bool(re.search(rf'<option (?:selected value="{value}"|value="{value}" selected)', html))


def test_a_manage_post_with_an_unknown_article_changes_nothing(demo_app, client, auth):
    auth.login("zhangwei")
    ticket_id = file_ticket(client, auth, title="报表导出的金额全部为零")
    auth.logout()
    auth.login("lina")
    before = snapshot(demo_app, ticket_id)
    assert before["ticket"]["complexity"] == "standard" and not before["ticket"]["shareable"]  # the default tier
    engineer = other_engineer(demo_app, ticket_id)
    token = auth.csrf(f"/tickets/{ticket_id}")
    r = client.post(
        f"/tickets/{ticket_id}/manage",
        data={
            "csrf_token": token,
            "assignee": str(engineer),  # valid: another engineer
            "complexity": "complex",  # valid: a change that would also escalate
            "shareable": "y",  # valid
            "article_id": "987654",  # no such article
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "987654" in html, "the message names the article number"
    assert re.search(r'name="article_id"[^>]*value="987654"|value="987654"[^>]*name="article_id"', html), "kept"
    assert selected(html, "complex") and selected(html, str(engineer)), "what was chosen is still chosen"
    assert snapshot(demo_app, ticket_id) == before
    # the same form with the article left empty is saved whole, in one go
    r = client.post(
        f"/tickets/{ticket_id}/manage",
        data={"csrf_token": token, "assignee": str(engineer), "complexity": "complex", "shareable": "y"},
    )
    assert r.status_code == 302
    after = snapshot(demo_app, ticket_id)
    assert after["ticket"]["complexity"] == "complex" and after["ticket"]["shareable"]
    kinds = [e[1] for e in after["events"][len(before["events"]) :]]
    assert kinds[:3] == ["assign", "complexity", "shared"] and "escalate" in kinds


def test_a_manage_post_with_an_unknown_engineer_changes_nothing(demo_app, client, auth):
    auth.login("zhangwei")
    ticket_id = file_ticket(client, auth, title="考勤报表无法导出")
    auth.logout()
    auth.login("lina")
    before = snapshot(demo_app, ticket_id)
    token = auth.csrf(f"/tickets/{ticket_id}")
    r = client.post(
        f"/tickets/{ticket_id}/manage",
        data={"csrf_token": token, "assignee": "999999", "complexity": "complex", "shareable": "y", "article_id": "1"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and selected(html, "complex")
    assert snapshot(demo_app, ticket_id) == before


def test_the_manage_service_checks_every_field_before_writing(demo_app):
    with demo_app.test_request_context():
        lina = db.session.scalar(select(User).where(User.username == "lina"))
        zhangwei = db.session.scalar(select(User).where(User.username == "zhangwei"))
        ticket = services.file_ticket(
            services.TicketInput(
                title="流程图显示错位", description="", category_id=db.session.scalar(select(Category.id))
            ),
            zhangwei,
            now=MON_0900,
        )
        ticket_id = ticket.id
        engineer = db.session.get(User, other_engineer(demo_app, ticket_id))
        db.session.execute(update(User).where(User.id == engineer.id).values(active=False))
        db.session.commit()
        before = snapshot(demo_app, ticket_id)
        with pytest.raises(services.TicketError) as err:
            services.manage(
                ticket, lina, assignee_id=engineer.id, complexity="complex", shareable=True, article_id=None
            )
        assert set(err.value.errors) == {"assignee"}
        with pytest.raises(services.TicketError) as err:
            services.manage(ticket, lina, assignee_id=None, complexity="huge", shareable=True, article_id=987654)
        assert set(err.value.errors) == {"complexity", "article_id"}, "every bad field is named at once"
        assert snapshot(demo_app, ticket_id) == before


def test_bulk_assignment_with_one_stale_ticket_assigns_none(demo_app, client, auth):
    auth.login("zhangwei")
    first = file_ticket(client, auth, title="邮件附件无法下载")
    second = file_ticket(client, auth, title="会议室预订页面报错")
    auth.logout()
    auth.login("lina")
    assert act(client, auth, second, "resolve", "已清理浏览器缓存").status_code == 302  # no longer open
    before = snapshot(demo_app, first), snapshot(demo_app, second)
    target = other_engineer(demo_app, first)
    token = auth.csrf("/tickets/queue")
    r = client.post(
        "/tickets/queue/assign",
        data={"csrf_token": token, "ticket": [str(first), str(second)], "assignee": str(target)},
    )
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "只能指派未完结的工单" in page, "the message says why"
    assert (snapshot(demo_app, first), snapshot(demo_app, second)) == before


def test_files_of_a_reply_that_does_not_commit_are_discarded(demo_app):
    with demo_app.test_request_context():
        zhangwei = db.session.scalar(select(User).where(User.username == "zhangwei"))
        ticket = services.file_ticket(
            services.TicketInput(
                title="打印预览空白", description="", category_id=db.session.scalar(select(Category.id))
            ),
            zhangwei,
            now=MON_0900,
        )
        folder = path_of("probe").parent
        files_before = set(folder.iterdir()) if folder.exists() else set()
        # another agent's change lands after we loaded the ticket: the commit finds a newer version
        db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(version=Ticket.version + 1)
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(services.Conflict):
            services.reply(ticket, zhangwei, "截图见附件", uploads=[Upload("截图.png", "image/png", b"\x89PNG....")])
        files_after = set(folder.iterdir()) if folder.exists() else set()
        assert files_after == files_before, "the stored file went with the rolled-back reply"
        db.session.expire_all()
        assert not db.session.get(Ticket, ticket.id).attachments


def test_the_assignment_job_tries_once_more_after_a_conflict(demo_app, monkeypatch, caplog):
    with demo_app.test_request_context():
        zhangwei = db.session.scalar(select(User).where(User.username == "zhangwei"))
        monkeypatch.setattr(jobs, "enqueue", lambda *a, **k: None)  # file it without the job running
        ticket = services.file_ticket(
            services.TicketInput(
                title="工资条无法打开", description="", category_id=db.session.scalar(select(Category.id))
            ),
            zhangwei,
            now=MON_0900,
        )
        ticket_id = ticket.id
        assert ticket.assignee_id is None
        calls = []
        candidates = queries.candidates

        def meanwhile(senior):  # the first time, another change to the ticket lands mid-job
            calls.append(senior)
            if len(calls) == 1:
                db.session.execute(
                    update(Ticket)
                    .where(Ticket.id == ticket_id)
                    .values(version=Ticket.version + 1)
                    .execution_options(synchronize_session=False)
                )
            return candidates(senior)

        monkeypatch.setattr(queries, "candidates", meanwhile)
        with caplog.at_level(logging.WARNING, logger="portal.tickets.tasks"):
            tasks.assign_ticket.call_local(ticket_id, MON_0900.isoformat())
        assert len(calls) == 2, "tried once more on a fresh load"
        assert "trying once more" in caplog.text
        db.session.expire_all()
        assert db.session.get(Ticket, ticket_id).assignee_id is not None
