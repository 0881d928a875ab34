"""The working calendar kept up to date: the administrators' page with its warning, `portal
calendar sync`, the yearly load and the nightly check, and the SLA clock reading 2027."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.core.calendar_days import CalendarDay, CalendarYear
from portal.extensions import db
from portal.notify.models import Notification
from portal.tickets import calendar_admin, services, tasks
from tests import factories as f

TODAY = datetime(2026, 12, 4, 2, 0)  # 10:00 in Shanghai; the next 60 days reach 2027-02-02


@pytest.fixture
def desk(db_app):
    db_app.config["CLOCK"] = lambda: TODAY
    people = f.support_desk()
    people["zhangwei"] = f.user("zhangwei", display_name="张伟", department="finance", region="east")
    people["second_admin"] = f.user("root2", roles=["admin"])
    people["gone_admin"] = f.user("root3", roles=["admin"], active=False)
    f.category("登录问题")
    db.session.commit()
    return people


def gaps(html: str) -> list[str]:
    return re.findall(r'class="alert warning calendar-gap"[^>]*id="([^"]+)"', html)


def test_the_page_warns_until_the_next_60_days_are_covered(desk, db_client, db_auth):
    db_client.set_cookie("portal_lang", "en")
    calendar_admin.sync_year(None, 2026)
    db.session.commit()
    db_auth.login("admin")
    page = db_client.get("/tickets/calendar").get_data(as_text=True)
    assert gaps(page) == ["missing-2027"]
    token = db_auth.csrf("/tickets/calendar")
    assert db_client.post("/tickets/calendar", data={"csrf_token": token, "sync": "20x7"}).status_code == 422
    r = db_client.post("/tickets/calendar", data={"csrf_token": token, "sync": "2027"})
    assert r.status_code == 302
    page = db_client.get("/tickets/calendar").get_data(as_text=True)
    assert "2027 loaded from holidays 0." in page  # the flash with the counts
    assert gaps(page) == ["estimated-2027"], "holidays 0.109 has no State Council notice for 2027"
    assert 'data-year="2027" data-trusted="no"' in page
    assert 'data-day="2027-01-01" data-kind="holiday" data-source="holidays 0.' in page
    r = db_client.post("/tickets/calendar", data={"csrf_token": token, "check": "2027"})
    assert r.status_code == 302
    page = db_client.get("/tickets/calendar").get_data(as_text=True)
    assert gaps(page) == [] and 'data-year="2027" data-trusted="yes"' in page
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == "calendar:2027")).all()
    assert actions == ["calendar_synced", "calendar_year_checked"]


def test_an_administrators_day_on_the_page_survives_loading_the_year_again(desk, db_client, db_auth):
    db_auth.login("admin")
    token = db_auth.csrf("/tickets/calendar")
    data = {"csrf_token": token, "day": "2027-01-01", "kind": "workday", "name": "年终结账"}
    assert db_client.post("/tickets/calendar", data=data).status_code == 302
    assert db_client.post("/tickets/calendar", data={"csrf_token": token, "sync": "2027"}).status_code == 302
    row = db.session.get(CalendarDay, datetime(2027, 1, 1).date())
    db.session.refresh(row)
    assert (row.kind, row.name, row.source) == ("workday", "年终结账", "admin")
    page = db_client.get("/tickets/calendar").get_data(as_text=True)
    assert 'data-day="2027-01-01" data-kind="workday" data-source="admin"' in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target == "calendar:2027-01-01")) == (
        "calendar_day_set"
    )


def test_only_administrators_keep_the_calendar(desk, db_client, db_auth):
    for who in ("zhangwei", "lina", "wangqiang"):
        db_auth.login(who)
        assert db_client.get("/tickets/calendar").status_code == 403
        token = db_auth.csrf("/tickets/")
        assert db_client.post("/tickets/calendar", data={"csrf_token": token, "sync": "2027"}).status_code == 403
        db_auth.logout()
    assert db.session.get(CalendarYear, 2027) is None


def test_portal_calendar_sync_from_the_command_line(desk, db_app):
    runner = db_app.test_cli_runner()
    done = runner.invoke(args=["calendar", "sync", "--year", "2027"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("2027: from holidays 0.") and "estimated" in done.output
    added = db.session.scalar(select(func.count()).select_from(CalendarDay))
    assert added > 15 and db.session.get(CalendarYear, 2027) is not None
    again = runner.invoke(args=["calendar", "sync", "--year", "2027"])
    assert again.exit_code == 0 and "0 added, 0 changed, 0 removed" in again.output
    status = runner.invoke(args=["calendar", "status"])
    assert status.exit_code == 1 and "2026 missing" in status.output and "2027 estimated" in status.output
    refused = runner.invoke(args=["calendar", "sync", "--year", "1850"])
    assert refused.exit_code != 0 and "1850" in refused.output
    both = runner.invoke(args=["calendar", "sync"])  # default: this year and the next
    assert both.exit_code == 0 and both.output.startswith("2026: ") and "\n2027: " in both.output


def test_the_nightly_check_tells_every_active_administrator_once(desk):
    calendar_admin.sync_year(None, 2026)
    assert calendar_admin.warn_admins() == 2  # admin and root2; root3's account is closed
    assert calendar_admin.warn_admins() == 0, "once"
    notes = db.session.execute(select(Notification.user_id, Notification.url, Notification.important)).all()
    admins = {desk["admin"].id, desk["second_admin"].id}
    assert {(u, url, imp) for u, url, imp in notes} == {(a, "/tickets/calendar#missing-2027", True) for a in admins}
    calendar_admin.sync_year(None, 2027)  # loaded, but only estimated: a new reason to look
    assert calendar_admin.warn_admins() == 2
    assert calendar_admin.warn_admins() == 0
    calendar_admin.check_year(desk["admin"], 2027)
    assert calendar_admin.warn_admins() == 0 and calendar_admin.reach().complete


def test_the_yearly_job_loads_this_and_next_year(desk):
    assert tasks.load_next_year.call_local() == ["2026", "2027"]
    assert {y.year for y in db.session.scalars(select(CalendarYear))} == {2026, 2027}
    assert tasks.check_calendar.call_local() == 2  # 2027 is estimated: both administrators hear of it


def file_urgent(requester, at: datetime):
    data = services.TicketInput(
        title="全员无法登录OA", description="", category_id=f.category("登录问题").id, severity="urgent"
    )
    return services.file_ticket(data, requester, now=at)


def test_an_urgent_ticket_due_across_new_year_skips_2027_01_01_once_2027_is_loaded(desk, db_app):
    new_years_eve = datetime(2026, 12, 31, 8, 0)  # 16:00 in Shanghai: one service hour left that day
    before = file_urgent(desk["zhangwei"], new_years_eve)
    assert before.first_response_due == datetime(2026, 12, 31, 8, 15)  # urgent: 15 minutes on the wall clock
    assert before.resolution_due == datetime(2027, 1, 1, 4, 0)  # 1 h + 3 h on 元旦 itself: 12:00
    assert db_app.test_cli_runner().invoke(args=["calendar", "sync", "--year", "2027"]).exit_code == 0
    after = file_urgent(desk["zhangwei"], new_years_eve)
    # 元旦 (Friday) and the weekend after it are holidays: the clock runs again on Monday 09:00
    assert after.resolution_due == datetime(2027, 1, 4, 4, 0)  # Monday 2027-01-04 12:00 in Shanghai
