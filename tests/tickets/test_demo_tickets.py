"""The demo desk: enough tickets in every state and region to show each feature."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from portal.core.calendar_days import CalendarDay, CalendarYear
from portal.core.clock import utcnow
from portal.extensions import db
from portal.tickets import clock
from portal.tickets.models import QuickReply, Ticket


def test_demo_tickets_cover_states_regions_breaches_and_ratings(demo_app):
    with demo_app.app_context():
        tickets = list(db.session.scalars(select(Ticket)))
        assert len(tickets) >= 50
        assert set(Counter(t.state for t in tickets)) == {
            "pending",
            "in_progress",
            "waiting",
            "resolved",
            "closed",
            "reopened",
        }
        assert {t.region.code for t in tickets} == {"north", "east", "south", "northwest", "southwest"}
        assert sum(t.response_breached or t.resolution_breached for t in tickets) >= 4
        assert sum(t.rating is not None for t in tickets) >= 8
        assert any(t.escalated for t in tickets) and any(t.shareable for t in tickets)
        assert any(t.channel != "web" and t.filed_by is not None for t in tickets)
        for t in tickets:
            assert t.events[0].kind == "created" and t.assignee is not None
            times = [e.created_at for e in t.events]
            assert times == sorted(times), f"{t.number}: the ledger runs forward"
        waiting = [t for t in tickets if t.state == "waiting"]
        assert all(t.resolution_due is None and t.waiting_reason for t in waiting)


def test_reference_data_quick_replies_and_holidays(demo_app):
    with demo_app.app_context():
        titles = list(db.session.scalars(select(QuickReply.title).order_by(QuickReply.position)))
        assert titles[:2] == ["收到", "需协助"]
        national_day = db.session.get(CalendarDay, date(2026, 10, 1))
        assert national_day.kind == "holiday" and national_day.name == "国庆节"
        assert national_day.source.startswith("holidays ")  # loaded from the package, not typed in
        years = {y.year: y for y in db.session.scalars(select(CalendarYear))}
        today = utcnow().date()
        assert {today.year, today.year + 1} <= set(years), "the set-up loads this year and the next"


def test_demo_desk_shows_every_tier_and_a_revised_promise(demo_app):
    with demo_app.app_context():
        tickets = list(db.session.scalars(select(Ticket)))
        assert {t.complexity for t in tickets} == {"standard", "simple", "complex"}
        revised = [t for t in tickets if t.expected_at is not None]
        assert len(revised) == 1 and revised[0].expected_reason and revised[0].state in clock.RUNNING
        assert clock.outlook(revised[0]).promise == "revised"
        assert any(e.kind == "promise" and not e.internal for e in revised[0].events)
        owed = [t for t in tickets if clock.outlook(t).promise == "owed"]
        assert owed, "the desk's queue has tickets waiting for a reason and a new time"
