"""Ticket services on the real demo database: filing, the clock, the ledger, jobs, access."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from portal.auth.models import User
from portal.core.errors import DomainError, NotAllowed
from portal.core.uploads import Upload
from portal.extensions import db
from portal.kb.models import Article, Category
from portal.search.models import SearchLog
from portal.tickets import queries, services, tasks
from portal.tickets.models import Attachment, Deflection, Ticket, TicketEvent

# Monday 2026-11-23 09:00 in Shanghai is 01:00 UTC; the database keeps naive UTC.
MON_0900 = datetime(2026, 11, 23, 1, 0)


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def category(name: str = "登录问题") -> int:
    return db.session.scalar(select(Category.id).where(Category.name == name))


def file(requester="zhangwei", title="OA 登录时提示密码错误", severity="normal", now=MON_0900, **kw) -> Ticket:
    filer = kw.pop("filer", None) or requester
    data = services.TicketInput(
        title=title,
        description=kw.pop("description", "今天早上开始登录不了"),
        category_id=category(),
        severity=severity,
        **kw,
    )
    return services.file_ticket(data, user(filer), now=now)


@pytest.fixture
def ctx(demo_app):
    with demo_app.test_request_context():
        yield demo_app


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_filing_sets_due_times_ledger_and_regional_engineer(ctx):
    ticket = file(severity="urgent")
    assert ticket.state == "pending" and ticket.number == f"T{ticket.id:06d}"
    # urgent inside working hours: 15 wall-clock minutes; the default tier: solved in 4 service hours
    assert ticket.first_response_due == MON_0900 + timedelta(minutes=15)
    assert ticket.complexity == "standard"
    assert ticket.resolution_due == MON_0900 + timedelta(hours=4)
    kinds = [e.kind for e in ticket.events]
    assert kinds[0] == "created" and "assign" in kinds
    # zhangwei works in 华东区: an engineer of that region gets it
    assert ticket.assignee.region.code == "east"
    assert ticket.assignee.has_role("engineer")


def test_assignment_balances_load_within_the_region(ctx):
    first = file(title="打印机无法连接")
    second = file(title="报表导出失败")
    third = file(title="审批单打不开")
    east = {first.assignee_id, second.assignee_id, third.assignee_id}
    assert len(east) == 2, "two east engineers share three new tickets"


def test_normal_ticket_filed_in_the_evening_waits_for_the_next_working_morning(ctx):
    evening = datetime(2026, 11, 23, 11, 30)  # 19:30 in Shanghai
    ticket = file(now=evening)
    assert ticket.first_response_due == datetime(2026, 11, 24, 2, 0)  # Tue 10:00 = opening + 1 h
    urgent = file(now=evening, severity="urgent", title="全员无法登录")
    assert urgent.first_response_due == evening + timedelta(minutes=30)


def test_bad_input_writes_nothing(ctx):
    before = count(Ticket), count(TicketEvent)
    with pytest.raises(services.TicketError) as err:
        file(title="  ")
    assert "title" in err.value.errors
    with pytest.raises(services.TicketError) as err:
        file(severity="critical")
    assert "severity" in err.value.errors
    with pytest.raises(services.TicketError) as err:
        file(uploads=[Upload("virus.exe", "application/octet-stream", b"MZ")])
    assert "attachments" in err.value.errors
    assert (count(Ticket), count(TicketEvent)) == before


def test_only_the_desk_files_for_someone_else(ctx):
    with pytest.raises(services.TicketError) as err:
        file(requester_username="huanglei", channel="phone", filer="zhangwei")
    assert "channel" in err.value.errors
    ticket = file(requester_username="zhangwei", channel="phone", filer="lina")
    assert ticket.requester.username == "zhangwei" and ticket.filed_by.username == "lina"
    assert ticket.channel == "phone"
    assert ticket.events[0].data == {"channel": "phone"}


def test_asking_the_requester_pauses_the_resolution_clock(ctx):
    ticket = file()
    engineer = ticket.assignee
    services.change_state(ticket, engineer, "ask", body="请提供截图", now=MON_0900 + timedelta(hours=1))
    assert ticket.state == "waiting" and ticket.resolution_due is None
    assert ticket.first_response_at == MON_0900 + timedelta(hours=1)
    assert ticket.waiting_reason == "请提供截图"
    # the requester answers two working hours later: the due time moves by two hours
    services.reply(ticket, ticket.requester, "截图已上传", now=MON_0900 + timedelta(hours=3))
    assert ticket.state == "in_progress"
    assert ticket.resolution_due == datetime(2026, 11, 23, 7, 0)  # Mon 09:00 + 4 h + 2 h paused → Mon 15:00
    assert ticket.waiting_reason == ""


def test_transitions_are_checked_for_state_and_person(ctx):
    ticket = file()
    requester, engineer = ticket.requester, ticket.assignee
    with pytest.raises(NotAllowed):
        services.change_state(ticket, requester, "resolve", body="我自己好了")
    with pytest.raises(services.TicketError):
        services.change_state(ticket, engineer, "resolve", body="")  # a solution is required
    services.change_state(ticket, engineer, "resolve", body="已重置密码", now=MON_0900 + timedelta(hours=2))
    with pytest.raises(services.Conflict):
        services.change_state(ticket, engineer, "resolve", body="再次解决")
    stranger = user("huanglei")
    with pytest.raises(DomainError) as err:
        services.change_state(ticket, stranger, "confirm")
    assert err.value.status == 404
    services.change_state(ticket, requester, "reopen", body="还是不行", now=MON_0900 + timedelta(hours=3))
    assert ticket.state == "reopened" and ticket.resolved_at is None


def test_a_decision_taken_meanwhile_by_someone_else_is_a_conflict(ctx):
    ticket = file()
    # another agent's request bumps the row version after we loaded it
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(version=Ticket.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(services.Conflict):
        services.change_state(ticket, ticket.assignee, "start")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "pending"


def test_internal_notes_and_replies(ctx):
    ticket = file()
    with pytest.raises(NotAllowed):
        services.reply(ticket, ticket.requester, "我想写内部备注", internal=True)
    services.reply(ticket, ticket.assignee, "怀疑是 LDAP 同步问题", internal=True, now=MON_0900 + timedelta(minutes=5))
    assert ticket.first_response_at is None, "an internal note is not a response"
    services.reply(ticket, ticket.assignee, "收到，正在处理", now=MON_0900 + timedelta(minutes=6))
    assert ticket.first_response_at == MON_0900 + timedelta(minutes=6)
    with pytest.raises(DomainError):
        services.reply(ticket, user("huanglei"), "路过")


def test_sweep_warns_breaches_escalates_and_closes(ctx):
    ticket = file(title="报销单提交后一直转圈")
    tid = ticket.id
    tasks.sweep(now=MON_0900 + timedelta(minutes=20))
    assert not db.session.get(Ticket, tid).response_warned
    tasks.sweep(now=MON_0900 + timedelta(minutes=50))  # 50 of 60 working minutes used
    ticket = db.session.get(Ticket, tid)
    assert ticket.response_warned and not ticket.response_breached
    first_engineer = ticket.assignee_id
    tasks.sweep(now=MON_0900 + timedelta(minutes=61))
    ticket = db.session.get(Ticket, tid)
    assert ticket.response_breached and ticket.escalated
    assert ticket.assignee.has_role("senior_engineer")
    kinds = [e.kind for e in ticket.events]
    assert kinds.count("sla_breach") == 1 and "escalate" in kinds
    from portal.notify.models import Notification  # the engineer on it heard of both, the breach in red

    notes = db.session.execute(
        select(Notification.kind, Notification.important).where(
            Notification.user_id == first_engineer, Notification.url == f"/tickets/{tid}"
        )
    ).all()
    assert sorted(notes) == [("ticket_sla_breach", True), ("ticket_sla_warning", False)]
    tasks.sweep(now=MON_0900 + timedelta(minutes=90))
    assert [e.kind for e in db.session.get(Ticket, tid).events].count("sla_breach") == 1, "recorded once"
    # resolved and never confirmed: closed automatically after TICKET_AUTO_CLOSE_HOURS (72)
    resolved_at = MON_0900 + timedelta(hours=2)
    services.change_state(ticket, ticket.assignee, "resolve", body="已清理缓存", now=resolved_at)
    tasks.sweep(now=resolved_at + timedelta(hours=71))
    assert db.session.get(Ticket, tid).state == "resolved"
    assert tasks.sweep(now=resolved_at + timedelta(hours=73))["closed"] >= 1
    ticket = db.session.get(Ticket, tid)
    assert ticket.state == "closed" and ticket.events[-1].actor is None
    services.rate(ticket, ticket.requester, 4, "后来好了")
    assert ticket.rating == 4
    with pytest.raises(services.Conflict):
        services.rate(ticket, ticket.requester, 5)


def test_complex_problems_go_to_a_senior_engineer(ctx):
    ticket = file(title="流程引擎数据错乱")
    services.set_complexity(ticket, "complex", ticket.assignee)
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.escalated and ticket.assignee.has_role("senior_engineer")
    assert ticket.resolution_due == datetime(2026, 11, 25, 9, 0)  # three working days of 8 h: Wed 17:00


def test_resolving_late_records_the_breach(ctx):
    ticket = file()
    services.change_state(ticket, ticket.assignee, "start", now=MON_0900 + timedelta(minutes=30))
    services.change_state(ticket, ticket.assignee, "resolve", body="修复", now=MON_0900 + timedelta(days=2))
    assert ticket.resolution_breached and not ticket.response_breached


def test_ticket_to_faq_draft_links_both_ways_and_counts_for_the_top_list(ctx):
    ticket = file()
    agent = ticket.assignee
    with pytest.raises(services.Conflict):
        services.draft_faq(ticket, agent)  # nothing to share before there is a solution
    services.change_state(ticket, agent, "resolve", body="在统一身份平台解锁账号后恢复。")
    article = services.draft_faq(ticket, agent)
    assert article.source_ticket_id == ticket.id and ticket.article_id == article.id
    assert not article.published and "解锁账号" in article.body
    assert services.draft_faq(ticket, agent).id == article.id, "one draft per ticket"
    with pytest.raises(NotAllowed):
        services.draft_faq(ticket, ticket.requester)
    faq = db.session.scalar(select(Article).where(Article.kind == "faq", Article.published.is_(True)))
    before = queries.tickets_for_article(faq.id)
    for title in ("密码忘了", "密码又忘了"):
        services.link_article(file(title=title), faq.id, agent)
    assert queries.tickets_for_article(faq.id) == before + 2
    assert faq.id in [a.id for a, _ in queries.top_faqs()]


def test_bulk_assignment_is_all_or_nothing(ctx):
    a, b = file(title="甲"), file(title="乙")
    services.change_state(b, b.assignee, "resolve", body="好了")
    target = user("songyu")
    with pytest.raises(services.Conflict):
        services.bulk_assign([a.id, b.id], target, user("lina"))  # b is no longer open
    db.session.expire_all()
    assert db.session.get(Ticket, a.id).assignee_id != target.id
    with pytest.raises(NotAllowed):
        services.bulk_assign([a.id], target, user("wangqiang"))  # engineers do not dispatch
    assert services.bulk_assign([a.id], target, user("lina")) == 1
    assert db.session.get(Ticket, a.id).assignee_id == target.id


def test_filing_after_a_search_marks_the_search_followed(ctx):
    db.session.add(
        SearchLog(session_token="tok123", query="登录", typed="登录", hits=3, created_at=MON_0900, updated_at=MON_0900)
    )
    db.session.commit()
    data = services.TicketInput(title="登录不了", description="", category_id=category())
    services.file_ticket(data, user("zhangwei"), search_token="tok123", now=MON_0900 + timedelta(minutes=5))
    assert db.session.scalar(select(SearchLog.ticket_filed).where(SearchLog.session_token == "tok123"))


def test_attachments_are_stored_and_removed_with_a_failed_write(ctx, tmp_path):
    ticket = file(uploads=[Upload("截图.png", "image/png", b"\x89PNG....")])
    item = ticket.attachments[0]
    assert item.filename == "截图.png" and item.event_id == ticket.events[0].id
    from portal.core.uploads import path_of

    assert path_of(item.stored_name).read_bytes() == b"\x89PNG...."
    assert count(Attachment) == 1


def test_deflection_keeps_no_user(ctx):
    faq = db.session.scalar(select(Article.id).where(Article.kind == "faq"))
    services.deflect(faq, "忘记密码")
    row = db.session.scalar(select(Deflection))
    assert row.article_id == faq and row.title == "忘记密码"
    assert not hasattr(row, "user_id")
