"""China's holidays and 调休 days read from the pinned holidays package (no app, no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.core import holiday_source

# 国务院办公厅关于2026年部分节假日安排的通知: the list the portal shipped by hand before it read
# the package; the package must give exactly this (the weekend days inside each break included)
NOTICE_2026 = [
    ("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ("清明节", "2026-04-04", "2026-04-06", []),
    ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
    ("端午节", "2026-06-19", "2026-06-21", []),
    ("中秋节", "2026-09-25", "2026-09-27", []),
    ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
]


def _notice(rows) -> set[tuple[date, str, str]]:
    out = set()
    for name, first, last, workdays in rows:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            out.add((day, "holiday", name))
            day += timedelta(days=1)
        out |= {(date.fromisoformat(w), "workday", f"{name}调休") for w in workdays}
    return out


def test_2026_is_the_state_councils_notice_day_for_day():
    plan = holiday_source.china_year(2026)
    assert plan.official and plan.year == 2026
    assert plan.source == holiday_source.source_name() and plan.source.startswith("holidays 0.")
    assert {(d.day, d.kind, d.name) for d in plan.days} == _notice(NOTICE_2026)
    assert [d.day for d in plan.days] == sorted(d.day for d in plan.days)


def test_a_break_is_named_after_its_main_festival_and_each_调休_day_after_the_break_it_pays_for():
    plan = holiday_source.china_year(2025)
    names = {d.day: d.name for d in plan.days}
    # 2025: 国庆节 and 中秋节 (10-06) in one break of eight days
    assert {names[date(2025, 10, d)] for d in range(1, 9)} == {"国庆节"}
    # the Sundays before and after the break are worked for it
    assert names[date(2025, 9, 28)] == "国庆节调休" and names[date(2025, 10, 11)] == "国庆节调休"
    assert names[date(2025, 1, 26)] == "春节调休"  # a Sunday worked for the Spring Festival
    assert plan.holidays()[0] == date(2025, 1, 1) and date(2025, 2, 8) in plan.workdays()


def test_a_year_without_the_notice_is_estimated_and_has_no_调休_days():
    """holidays 0.109 has no State Council notice for 2027: the festivals by rule only."""
    plan = holiday_source.china_year(2027)
    assert not plan.official and not holiday_source.has_notice(2027)
    assert plan.workdays() == []
    holidays = set(plan.holidays())
    assert {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)} <= holidays  # 元旦 Friday to Sunday
    assert date(2027, 10, 1) in holidays and date(2027, 10, 8) not in holidays
    assert all(d.day.year == 2027 for d in plan.days)


def test_a_break_across_new_year_is_cut_at_the_years_edge():
    # 2008's 元旦 break ran from 2007-12-30 to 2008-01-01, with Saturday 2007-12-29 worked instead
    plan_2007, plan_2008 = holiday_source.china_year(2007), holiday_source.china_year(2008)
    names_2007 = {d.day: (d.kind, d.name) for d in plan_2007.days}
    assert names_2007[date(2007, 12, 30)] == names_2007[date(2007, 12, 31)] == ("holiday", "元旦")
    assert names_2007[date(2007, 12, 29)] == ("workday", "元旦调休")
    assert date(2008, 1, 1) in plan_2008.holidays()
    assert all(d.day.year == 2008 for d in plan_2008.days)
    # and a year's 调休 day paying for the next year's break is named after it: 2006-12-30 for 2007's 元旦
    assert next((d.kind, d.name) for d in holiday_source.china_year(2006).days if d.day == date(2006, 12, 30)) == (
        "workday",
        "元旦调休",
    )


@pytest.mark.parametrize("year", [1999, 2101])
def test_years_outside_the_supported_range_are_refused(year):
    with pytest.raises(ValueError, match="between 2000 and 2100"):
        holiday_source.china_year(year)
