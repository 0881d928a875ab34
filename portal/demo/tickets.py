"""Demo tickets, replayed through the services on a timeline that ends now, so the ledger, the due
times, pauses, breaches, escalations and ratings are what the rules make of them. Also the
reference data every installation starts with: quick replies and the holiday calendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.auth.models import User
from portal.core.calendar_days import SyncResult
from portal.core.clock import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.kb import reviewing
from portal.kb.models import Article, Category
from portal.tickets import calendar_admin, services
from portal.tickets.models import QuickReply, Ticket

DATA = Path(__file__).parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")

QUICK_REPLIES = [
    ("收到", "您好，已收到您的问题，正在处理中，请稍候。"),
    ("需协助", "您好，为尽快定位问题，请提供出错时的截图、操作时间和您的工号。"),
    ("远程协助", "您好，需要远程查看您的电脑，请保持电脑开机，工程师将通过向日葵与您联系。"),
    ("已解决请确认", "您好，问题已处理，请您再试一下；如已解决，请在工单上确认并评价，谢谢！"),
    ("转高级工程师", "您好，该问题需要高级工程师进一步排查，已为您升级处理，我们会尽快回复。"),
]


def seed_quick_replies() -> None:
    with unit_of_work():
        if db.session.scalar(select(func.count(QuickReply.id))):
            return
        db.session.add_all(QuickReply(title=t, body=b, position=n) for n, (t, b) in enumerate(QUICK_REPLIES))


def seed_calendar() -> list[SyncResult]:
    """This year and the next from the holidays package (the set-up runs it every time)."""
    return [calendar_admin.sync_year(None, year) for year in calendar_admin.this_and_next_year()]


def _local_morning(now: datetime, days: int) -> datetime:
    """11:00 in Shanghai `days` after now's local day, as naive UTC (what an engineer would promise)."""
    local = now.replace(tzinfo=UTC).astimezone(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(local, time(11), tzinfo=SHANGHAI).astimezone(UTC).replace(tzinfo=None)


class Replay:
    """One scenario's clock: every step happens after the previous one and before now."""

    def __init__(self, start: datetime, now: datetime):
        self.t, self.now = start, now

    def at(self, after: timedelta, not_after: datetime | None = None) -> datetime:
        t = self.t + after
        if not_after is not None:
            t = min(t, not_after)
        self.t = max(min(t, self.now - timedelta(minutes=2)), self.t + timedelta(minutes=1))
        return self.t


def _users() -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(select(User))}


def _faq_draft(ticket: Ticket, state: str, users: dict[str, User]) -> None:
    """Support turns the solved ticket into a FAQ draft for the drafts desk; `review`: the
    curator 陈静 has submitted it, and another curator (or an administrator) reviews it."""
    article = services.draft_faq(ticket, users["lina"])
    if state == "review":
        reviewing.move(article.id, "submit", users["chenjing"])  # now, like the draft itself


def load_tickets(now: datetime | None = None) -> int:
    if db.session.scalar(select(func.count(Ticket.id))):
        return 0
    now = (now or utcnow()).replace(second=0, microsecond=0)
    users = _users()
    categories = {c.name: c.id for c in db.session.scalars(select(Category))}
    faqs = dict(
        db.session.execute(select(Article.external_id, Article.id).where(Article.external_id.like("demo-faq-%"))).all()
    )
    scenarios = json.loads((DATA / "tickets.json").read_text(encoding="utf-8"))
    for s in sorted(scenarios, key=lambda s: -s["age_hours"]):  # oldest first, like real life
        _replay(s, now, users, categories, faqs)
    services.sweep(now=now)  # warnings, breaches and escalations as of now
    return len(scenarios)


def _replay(s: dict, now: datetime, users, categories, faqs) -> None:
    t0 = now - timedelta(hours=s["age_hours"])
    clock = Replay(t0, now)
    filer = users[s["filer"]] if s.get("filer") else users[s["requester"]]
    ticket = services.file_ticket(
        services.TicketInput(
            title=s["title"],
            description=s["description"],
            category_id=categories[s["category"]],
            severity=s["severity"],
            channel=s["channel"],
            requester_username=s["requester"] if s.get("filer") else "",
        ),
        filer,
        now=t0,
    )
    if ticket.assignee is None:  # the assignment job waits in the queue outside tests
        services.auto_assign(ticket, now=clock.at(timedelta(minutes=2)))
    agent, requester = ticket.assignee, ticket.requester
    outcome = s["outcome"]
    if outcome == "pending":
        return
    late_response = outcome == "breached_closed" and len(s["title"]) % 2 == 0
    # just before the due time: inside the service hours (a ticket filed at night is answered
    # the next morning, not at 2 a.m.); urgent ones, due within minutes, a minute after filing
    respond = ticket.first_response_due + timedelta(minutes=25 if late_response else -20)
    services.change_state(ticket, agent, "start", now=clock.at(respond - clock.t))
    if s["complexity"] != ticket.complexity:  # the desk's triage: the tier the problem needs
        services.set_complexity(ticket, s["complexity"], agent, now=clock.at(timedelta(minutes=5)))
        ticket = db.session.get(Ticket, ticket.id)
        agent = ticket.assignee
    if s.get("ask"):
        services.change_state(ticket, agent, "ask", body=s["ask"], now=clock.at(timedelta(minutes=20)))
        if not s.get("answer"):
            return  # still waiting for the requester
        services.reply(ticket, requester, s["answer"], now=clock.at(timedelta(minutes=50)))
    if s.get("link_faq") and s.get("faq") in faqs:
        services.link_article(ticket, faqs[s["faq"]], agent, now=clock.at(timedelta(minutes=5)))
    if s.get("promise") and ticket.resolution_due is not None:  # overdue: the engineer tells why and when
        late = clock.at(ticket.resolution_due + timedelta(minutes=40) - clock.t)
        expected = _local_morning(clock.now, s["promise"]["days_ahead"])
        services.revise_expected(ticket, agent, s["promise"]["reason"], expected, now=late)
    if outcome in ("in_progress", "waiting", "breached_open"):
        return
    if outcome == "breached_closed" and not late_response:
        resolve_at = clock.at(ticket.resolution_due + timedelta(hours=3) - clock.t)
    else:
        resolve_at = clock.at(timedelta(hours=2), not_after=ticket.resolution_due - timedelta(minutes=10))
    services.change_state(ticket, agent, "resolve", body=s["solution"], now=resolve_at)
    if outcome == "reopened":
        services.change_state(ticket, requester, "reopen", body=s["reopen"], now=clock.at(timedelta(hours=2)))
        return
    if s.get("faq_draft"):
        _faq_draft(ticket, s["faq_draft"], users)
    if outcome == "resolved":
        return
    if s.get("rating"):
        services.rate(ticket, requester, s["rating"], s.get("rating_comment", ""), now=clock.at(timedelta(hours=3)))
    else:
        services.change_state(ticket, None, "auto_close", now=clock.at(timedelta(hours=73)))
    if s.get("shareable"):
        services.set_shareable(ticket, True, agent, now=clock.at(timedelta(minutes=10)))
    if s.get("follow_up"):
        services.follow_up(ticket, users.get("lina", agent), s["follow_up"], now=clock.at(timedelta(days=1)))
