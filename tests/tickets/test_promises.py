"""Ticket promises kept in words: the service tiers chosen at triage, a reason and a new expected
time once a due time has passed (the requester reads them instead of a time in the past), and the
follow-up visits after resolution."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.notify.models import Notification
from portal.tickets import services
from portal.tickets.models import Ticket, TicketEvent
from tests import factories as f
from tests.conftest import make_config

MON_0900 = datetime(2026, 11, 23, 1, 0)  # Monday 09:00 in Shanghai
NOW = {"t": MON_0900}


@pytest.fixture
def desk(db_app):
    NOW["t"] = MON_0900
    db_app.config["CLOCK"] = lambda: NOW["t"]
    people = f.support_desk()
    people["zhangwei"] = f.user("zhangwei", display_name="张伟", department="finance", region="east")
    people["huanglei"] = f.user("huanglei", display_name="黄磊", department="office", region="north")
    f.category("登录问题")
    db.session.commit()
    return people


def file(people, title="OA 登录后首页空白", severity="normal", at=MON_0900) -> Ticket:
    data = services.TicketInput(
        title=title, description="一直转圈", category_id=f.category("登录问题").id, severity=severity
    )
    return services.file_ticket(data, people["zhangwei"], now=at)


def login(db_client, db_auth, who: str) -> None:
    if getattr(db_client, "signed_in", False):
        db_auth.logout()
    db_client.set_cookie("portal_lang", "en")
    assert db_auth.login(who).status_code == 303, who
    db_client.signed_in = True


def promise_of(html: str) -> str | None:
    m = re.search(r'id="expected" data-promise="(\w+)"', html)
    return m.group(1) if m else None


# --- the tiers -------------------------------------------------------------------------------


def test_a_new_ticket_is_in_the_default_tier_respond_in_1_h_solve_in_4_h(desk):
    ticket = file(desk)
    assert ticket.complexity == "standard"
    assert ticket.first_response_due == MON_0900 + timedelta(hours=1)
    assert ticket.resolution_due == MON_0900 + timedelta(hours=4)
    evening = file(desk, at=datetime(2026, 11, 23, 7, 0))  # 15:00: two service hours left today
    assert evening.resolution_due == datetime(2026, 11, 24, 3, 0)  # the other two on Tuesday: 11:00


def test_the_tiers_targets_and_the_default_tier_come_from_the_configuration(desk, db_app):
    db_app.config.update(TICKET_STANDARD_RESPONSE_MINUTES=30, TICKET_STANDARD_RESOLUTION_HOURS=2)
    ticket = file(desk)
    assert ticket.first_response_due == MON_0900 + timedelta(minutes=30)
    assert ticket.resolution_due == MON_0900 + timedelta(hours=2)
    urgent = file(desk, severity="urgent")
    assert urgent.first_response_due == MON_0900 + timedelta(minutes=15), "urgent beats the tier"
    db_app.config.update(TICKET_DEFAULT_TIER="simple", TICKET_SIMPLE_RESOLUTION_DAYS=2)
    simple = file(desk)
    assert simple.complexity == "simple" and simple.resolution_due == datetime(2026, 11, 24, 9, 0)  # Tue 17:00
    assert simple.first_response_due == MON_0900 + timedelta(hours=1)


def test_a_mistyped_default_tier_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="PORTAL_TICKET_DEFAULT_TIER"):
        create_app(make_config(tmp_path, TICKET_DEFAULT_TIER="gold"))


def test_the_support_desk_chooses_the_tier_at_triage_and_the_clocks_follow(desk, db_client, db_auth):
    ticket = file(desk)
    login(db_client, db_auth, "lina")
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-tier="standard"' in page
    for tier in ("standard", "simple", "complex"):
        assert re.search(rf'<option[^>]*value="{tier}"', page), tier
    token = db_auth.csrf(f"/tickets/{ticket.id}")
    form = {"csrf_token": token, "assignee": str(ticket.assignee_id), "complexity": "simple", "article_id": ""}
    assert db_client.post(f"/tickets/{ticket.id}/manage", data=form).status_code == 302
    db.session.refresh(ticket)
    assert ticket.complexity == "simple" and ticket.resolution_due == MON_0900 + timedelta(hours=8)
    refused = db_client.post(f"/tickets/{ticket.id}/manage", data={**form, "complexity": "gold"})
    assert refused.status_code in (400, 422)
    back = db_client.post(f"/tickets/{ticket.id}/manage", data={**form, "complexity": "standard"})
    assert back.status_code == 302
    db.session.refresh(ticket)
    assert ticket.resolution_due == MON_0900 + timedelta(hours=4)
    tiers = [e.data["to"] for e in ticket.events if e.kind == "complexity"]
    assert tiers == ["simple", "standard"] and all(e.internal for e in ticket.events if e.kind == "complexity")
    with pytest.raises(services.TicketError):
        services.set_complexity(ticket, "gold", desk["lina"])


def test_existing_tickets_keep_their_tier_when_the_default_changes(desk, db_app):
    old = f.ticket(desk["zhangwei"], complexity="simple", created_at=MON_0900)
    db.session.commit()
    db_app.config["TICKET_DEFAULT_TIER"] = "complex"
    services.change_state(old, desk["lina"], "start", now=MON_0900 + timedelta(minutes=5))  # recomputes the clocks
    assert old.complexity == "simple" and old.resolution_due == MON_0900 + timedelta(hours=8)
    assert file(desk).complexity == "complex"


# --- a reason and a new expected time once a due time has passed ----------------------------


def revise(db_client, db_auth, ticket_id, reason="需要厂商补丁", expected="2026-11-24T15:00"):
    token = db_auth.csrf(f"/tickets/{ticket_id}")
    return db_client.post(
        f"/tickets/{ticket_id}/expected", data={"csrf_token": token, "reason": reason, "expected": expected}
    )


def test_after_the_due_time_the_requester_reads_a_reason_and_a_new_time_instead(desk, db_client, db_auth):
    ticket = file(desk)
    engineer = ticket.assignee.username
    login(db_client, db_auth, "zhangwei")
    assert promise_of(db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)) == "due"
    assert 'data-promise="due"' in db_client.get("/tickets/").get_data(as_text=True)

    NOW["t"] = MON_0900 + timedelta(hours=5)  # 14:00: the solution was due at 13:00
    db_client.signed_in = False  # five idle hours ended the sign-in
    login(db_client, db_auth, "zhangwei")
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert promise_of(page) == "owed" and "Expected solution by" not in page
    assert 'id="promise"' not in page, "the form is the engineer's"
    mine = db_client.get("/tickets/").get_data(as_text=True)
    assert 'data-promise="owed"' in mine and "expected by" not in mine

    login(db_client, db_auth, "lina")  # the desk's queue flags it until the engineer answers
    assert f'data-owed="{ticket.id}"' in db_client.get("/tickets/queue").get_data(as_text=True)

    login(db_client, db_auth, engineer)
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="promise" data-promise="owed"' in page
    r = revise(db_client, db_auth, ticket.id, "补丁需要厂商提供，预计明天下午到位")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tickets/{ticket.id}#ledger")
    db.session.refresh(ticket)
    assert ticket.expected_at == datetime(2026, 11, 24, 7, 0)  # 15:00 in Shanghai, stored as UTC
    assert ticket.expected_reason == "补丁需要厂商提供，预计明天下午到位"
    event = next(e for e in ticket.events if e.kind == "promise")
    assert not event.internal and event.body == ticket.expected_reason
    assert event.data == {"expected_at": "2026-11-24T07:00:00", "previous": "2026-11-23T05:00:00"}
    note = db.session.scalar(select(Notification).where(Notification.user_id == desk["zhangwei"].id))
    assert (note.kind, note.url) == ("ticket_promise", f"/tickets/{ticket.id}")

    login(db_client, db_auth, "lina")
    queue = db_client.get("/tickets/queue").get_data(as_text=True)
    assert f'data-owed="{ticket.id}"' not in queue and f'data-revised="{ticket.id}"' in queue

    login(db_client, db_auth, "zhangwei")
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert promise_of(page) == "revised" and "补丁需要厂商提供，预计明天下午到位" in page
    assert f'id="event-{event.id}"' in page, "the requester sees the revision in the history"
    mine = db_client.get("/tickets/").get_data(as_text=True)
    assert 'data-promise="revised"' in mine and "补丁需要厂商提供" in mine


def test_the_ledger_keeps_every_revision_and_a_missed_one_is_owed_again(desk):
    ticket = file(desk)
    engineer = ticket.assignee
    first = datetime(2026, 11, 24, 7, 0)
    services.revise_expected(ticket, engineer, "等待厂商补丁", first, now=MON_0900 + timedelta(hours=5))
    late = first + timedelta(minutes=1)
    from portal.tickets import clock

    assert clock.outlook(ticket, late).promise == "owed"
    second = datetime(2026, 11, 25, 7, 0)
    services.revise_expected(ticket, engineer, "补丁安装后需要回归测试", second, now=late)
    assert clock.outlook(ticket, late).promise == "revised" and clock.outlook(ticket, late).at == second
    revisions = [(e.body, e.data["previous"], e.data["expected_at"]) for e in ticket.events if e.kind == "promise"]
    assert revisions == [
        ("等待厂商补丁", "2026-11-23T05:00:00", "2026-11-24T07:00:00"),
        ("补丁安装后需要回归测试", "2026-11-24T07:00:00", "2026-11-25T07:00:00"),
    ]
    services.change_state(ticket, engineer, "resolve", body="已安装补丁", now=second - timedelta(hours=1))
    assert clock.outlook(ticket, second + timedelta(days=1)).promise == "none", "solved: nothing owed"


def test_only_the_engineer_on_the_ticket_gives_a_new_time(desk, db_client, db_auth):
    ticket = file(desk)
    others = [u for u in ("linhui", "wangqiang") if u != ticket.assignee.username]
    for who, status in (("zhangwei", 403), ("huanglei", 403), ("lina", 403), ("admin", 403), (others[0], 403)):
        login(db_client, db_auth, who)
        assert revise(db_client, db_auth, ticket.id).status_code == status, who
    login(db_client, db_auth, ticket.assignee.username)
    assert revise(db_client, db_auth, 987654).status_code == 404
    db.session.refresh(ticket)
    assert ticket.expected_at is None and not [e for e in ticket.events if e.kind == "promise"]


@pytest.mark.parametrize(
    ("reason", "expected", "field"),
    [
        ("", "2026-11-24T15:00", "reason"),
        ("需要时间", "2026-11-23T08:00", "expected"),  # before now
        ("需要时间", "2027-06-01T08:00", "expected"),  # more than 90 days ahead
        ("需要时间", "明天", "expected"),
        ("需要时间", "", "expected"),
        ("长" * 301, "2026-11-24T15:00", "reason"),
    ],
)
def test_a_refused_revision_keeps_what_was_typed(desk, db_client, db_auth, reason, expected, field):
    ticket = file(desk)
    NOW["t"] = MON_0900 + timedelta(hours=5)
    login(db_client, db_auth, ticket.assignee.username)
    r = revise(db_client, db_auth, ticket.id, reason, expected)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html), field
    if reason and len(reason) < 300:
        assert reason in html
    db.session.refresh(ticket)
    assert ticket.expected_at is None


def test_no_new_time_while_waiting_for_the_requester_or_once_solved(desk):
    ticket = file(desk)
    engineer = ticket.assignee
    services.change_state(ticket, engineer, "ask", body="请提供截图", now=MON_0900 + timedelta(minutes=10))
    with pytest.raises(services.Conflict):
        services.revise_expected(ticket, engineer, "x", MON_0900 + timedelta(days=1), now=MON_0900 + timedelta(hours=5))
    services.reply(ticket, ticket.requester, "截图见附件", now=MON_0900 + timedelta(hours=1))
    services.change_state(ticket, engineer, "resolve", body="已处理", now=MON_0900 + timedelta(hours=2))
    with pytest.raises(services.Conflict):
        services.revise_expected(ticket, engineer, "x", MON_0900 + timedelta(days=1), now=MON_0900 + timedelta(hours=3))


# --- follow-up visits after resolution -------------------------------------------------------


def follow_up(db_client, db_auth, ticket_id, note="电话回访：问题未再出现"):
    token = db_auth.csrf(f"/tickets/{ticket_id}")
    return db_client.post(f"/tickets/{ticket_id}/follow-up", data={"csrf_token": token, "note": note})


def test_support_records_a_follow_up_visit_after_resolution_and_the_requester_sees_it(desk, db_client, db_auth):
    ticket = file(desk)
    login(db_client, db_auth, "lina")
    assert follow_up(db_client, db_auth, ticket.id).status_code == 409, "not before the ticket is resolved"
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="follow-up"' not in page
    services.change_state(ticket, ticket.assignee, "resolve", body="已清理缓存", now=MON_0900 + timedelta(hours=2))
    db.session.commit()
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="follow-up"' in page
    refused = follow_up(db_client, db_auth, ticket.id, "   ")
    assert refused.status_code == 422
    r = follow_up(db_client, db_auth, ticket.id)
    assert r.status_code == 302 and r.headers["Location"].endswith("#ledger")
    visit = db.session.scalar(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "follow_up")
    )
    assert visit.body == "电话回访：问题未再出现" and visit.actor.username == "lina" and not visit.internal
    services.rate(ticket, ticket.requester, 5, now=MON_0900 + timedelta(hours=3))  # closed: still recorded
    assert follow_up(db_client, db_auth, ticket.id, "一周后回访：正常").status_code == 302
    login(db_client, db_auth, "zhangwei")
    page = db_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f'id="event-{visit.id}"' in page and "一周后回访：正常" in page
    assert "recorded a follow-up visit" in page
    assert 'id="follow-up"' not in page, "the form is the desk's"


def test_only_the_desk_records_follow_ups(desk, db_client, db_auth):
    ticket = file(desk)
    services.change_state(ticket, ticket.assignee, "resolve", body="已处理", now=MON_0900 + timedelta(hours=1))
    db.session.commit()
    for who, status in (("zhangwei", 403), ("huanglei", 403)):
        login(db_client, db_auth, who)
        assert follow_up(db_client, db_auth, ticket.id).status_code == status
    login(db_client, db_auth, ticket.assignee.username)  # the engineer may, like the desk
    assert follow_up(db_client, db_auth, ticket.id).status_code == 302
    db.session.refresh(ticket)
    assert [e.kind for e in ticket.events].count("follow_up") == 1
    with pytest.raises(services.NotAllowed):
        services.follow_up(ticket, desk["zhangwei"], "我自己回访")
