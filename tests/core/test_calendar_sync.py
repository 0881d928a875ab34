"""Loading years of the working calendar from the holidays package: idempotent, the source on
every row, administrators' entries never touched; how far the calendar reaches; the approval
clock reading the loaded days."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.approvals import config as approval_config
from portal.approvals import due
from portal.core import calendar_days, holiday_source
from portal.core.calendar_days import CalendarDay, CalendarYear
from portal.core.errors import InvalidInput
from portal.core.holiday_source import PlannedDay
from portal.extensions import db
from tests import factories as f
from tests.conftest import make_config

SH = approval_config.ZoneInfo("Asia/Shanghai")


def rows(year: int) -> dict[date, tuple[str, str, str]]:
    db.session.expire_all()
    found = db.session.scalars(
        select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    )
    return {r.day: (r.kind, r.name, r.source) for r in found}


def with_notice(year: int, *extra: PlannedDay, source: str = "holidays 9.99"):
    """What a later release of the package that carries the State Council's notice would give."""

    def plan(y: int):
        base = holiday_source.china_year(y)
        return dataclasses.replace(base, source=source, official=True, days=base.days + extra)

    return plan


def test_a_sync_loads_the_year_with_its_source_and_a_second_one_changes_nothing(db_app):
    first = calendar_days.sync_year(2027)
    loaded = rows(2027)
    source = holiday_source.source_name()
    assert first.added == len(loaded) > 15 and (first.changed, first.removed, first.kept) == (0, 0, 0)
    assert loaded[date(2027, 1, 1)] == ("holiday", "元旦", source)
    assert {s for _, _, s in loaded.values()} == {source}
    year = db.session.get(CalendarYear, 2027)
    assert year.source == source and not year.official and not year.trusted  # no notice in the package yet
    again = calendar_days.sync_year(2027)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert rows(2027) == loaded


def test_administrators_entries_always_win_over_the_package(db_app):
    calendar_days.set_day("2027-01-02", "workday", "公司年会值班")  # before the year is loaded
    result = calendar_days.sync_year(2027)
    assert result.kept == 1
    assert rows(2027)[date(2027, 1, 2)] == ("workday", "公司年会值班", "admin")
    calendar_days.set_day("2027-10-05", "workday", "")  # over a day the package wrote
    again = calendar_days.sync_year(2027, plan=with_notice(2027))
    assert again.kept == 2
    loaded = rows(2027)
    assert loaded[date(2027, 10, 5)][::2] == ("workday", "admin")
    assert loaded[date(2027, 10, 4)] == ("holiday", "国庆节", "holidays 9.99"), "the package's own rows follow it"
    holidays, workdays = calendar_days.exceptions()
    assert date(2027, 1, 2) in workdays and date(2027, 1, 2) not in holidays


def test_a_sync_drops_the_days_the_package_no_longer_has_but_never_an_administrators(db_app):
    calendar_days.sync_year(2027)
    calendar_days.set_day("2027-06-10", "holiday", "公司周年")
    smaller = lambda y: dataclasses.replace(  # noqa: E731
        holiday_source.china_year(y), days=tuple(d for d in holiday_source.china_year(y).days if d.day.month != 6)
    )
    result = calendar_days.sync_year(2027, plan=smaller)
    assert result.removed == 1  # 端午节 2027-06-09
    loaded = rows(2027)
    assert date(2027, 6, 9) not in loaded and loaded[date(2027, 6, 10)] == ("holiday", "公司周年", "admin")


def test_removing_a_package_day_sticks_and_removing_that_brings_the_package_back(db_app):
    calendar_days.sync_year(2027)
    assert calendar_days.remove_day("2027-09-15") is True  # 中秋节: the company works
    assert rows(2027)[date(2027, 9, 15)] == ("ordinary", "中秋节", "admin")
    holidays, workdays = calendar_days.exceptions()
    assert date(2027, 9, 15) not in holidays + workdays
    calendar_days.sync_year(2027)
    assert rows(2027)[date(2027, 9, 15)][0] == "ordinary", "a later sync leaves the administrator's decision"
    assert calendar_days.remove_day("2027-09-15") is True
    assert rows(2027)[date(2027, 9, 15)] == ("holiday", "中秋节", holiday_source.source_name())
    assert calendar_days.remove_day("2031-01-01") is False


def test_an_estimated_year_is_trusted_once_checked_and_again_after_the_package_changes_it(db_app):
    admin = f.user("admin", roles=["admin"])
    db.session.commit()  # a savepoint: the refused check below rolls back only its own work
    with pytest.raises(InvalidInput):
        calendar_days.check_year(2028, admin.id)  # not loaded
    calendar_days.sync_year(2027)
    calendar_days.check_year(2027, admin.id)
    assert db.session.get(CalendarYear, 2027).trusted
    calendar_days.sync_year(2027)  # nothing changed: still checked
    assert db.session.get(CalendarYear, 2027).trusted
    worked = PlannedDay(date(2027, 2, 20), "workday", "春节调休")
    calendar_days.sync_year(2027, plan=lambda y: dataclasses.replace(holiday_source.china_year(y), days=(worked,)))
    year = db.session.get(CalendarYear, 2027)
    assert year.checked_at is None and not year.trusted, "what was checked is gone"


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_range_is_refused(db_app, year):
    with pytest.raises(InvalidInput) as err:
        calendar_days.sync_year(year)
    assert "year" in err.value.errors


def test_the_reach_of_the_calendar_over_the_next_60_days(db_app):
    today = date(2026, 12, 4)
    assert calendar_days.reach(today, 60).missing == (2026, 2027)
    calendar_days.sync_year(2026)
    cov = calendar_days.reach(today, 60)
    assert cov.missing == (2027,) and cov.until == date(2027, 2, 2) and not cov.complete
    assert calendar_days.reach(today, 20).complete, "December alone is covered"
    calendar_days.sync_year(2027)
    cov = calendar_days.reach(today, 60)
    assert cov.missing == () and cov.estimated == (2027,)
    calendar_days.sync_year(2027, plan=with_notice(2027))
    assert calendar_days.reach(today, 60).complete


def test_2027s_调休_days_count_as_working_days_for_approvals(db_app):
    """A Saturday worked instead (what the notice adds, through a release that has it) runs the
    approval clock; the package's 2027 holidays stop it."""
    friday = datetime(2027, 2, 19, 10, tzinfo=SH)
    limits = due.Limits(step_hours=24)
    assert due.step_due(friday, 0, 1, False, friday, approval_config.calendar(), limits) == datetime(
        2027, 2, 22, 10, tzinfo=SH
    )
    calendar_days.sync_year(2027, plan=with_notice(2027, PlannedDay(date(2027, 2, 20), "workday", "春节调休")))
    cal = approval_config.calendar()
    assert cal.is_working_day(date(2027, 2, 20)) and not cal.is_working_day(date(2027, 2, 8))
    assert due.step_due(friday, 0, 1, False, friday, cal, limits) == datetime(2027, 2, 20, 10, tzinfo=SH)


def test_2026s_调休_days_from_the_package_itself_count_for_approvals(db_app):
    calendar_days.sync_year(2026)
    cal = approval_config.calendar()
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 10, 10))  # Saturdays worked
    assert not cal.is_working_day(date(2026, 10, 1)) and not cal.is_working_day(date(2026, 2, 16))


def test_the_migration_keeps_the_days_entered_before_as_administrators(tmp_path):
    """Days typed in (or seeded by hand) before the package was read are never overwritten."""
    app = create_app(make_config(tmp_path))
    with app.app_context():
        upgrade(revision="7b2e9c4d1f6a")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO calendar_days (day, kind, name) VALUES ('2027-01-02', 'workday', '值班')"))
        upgrade()
        calendar_days.sync_year(2027)
        assert rows(2027)[date(2027, 1, 2)] == ("workday", "值班", "admin")
        db.session.remove()
        db.engine.dispose()
