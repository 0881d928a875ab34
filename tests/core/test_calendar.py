"""The working calendar (portal.core.calendar): opening hours, weekdays, holidays and 调休 days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.core.calendar import WorkCalendar, coverage

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)

DEFAULT = WorkCalendar()  # 7x8, every day 09:00-17:00
OFFICE = WorkCalendar(weekdays=frozenset(range(5)))  # Monday to Friday
NATIONAL_DAY = frozenset(date(2026, 10, d) for d in range(1, 8))  # 国庆 Thu 10-01 .. Wed 10-07
MAKE_UP = frozenset({date(2026, 9, 27), date(2026, 10, 10)})  # 调休: Sunday and Saturday
CN = WorkCalendar(weekdays=frozenset(range(5)), holidays=NATIONAL_DAY, workdays=MAKE_UP)


def sh(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


# 2026-06-01 is a Monday, 2026-06-05 a Friday, 2026-06-06 a Saturday.


def test_default_is_seven_by_eight():
    assert DEFAULT.day_length() == 8 * H
    assert DEFAULT.tz.key == "Asia/Shanghai"
    assert [DEFAULT.is_working_day(date(2026, 6, d)) for d in range(1, 8)] == [True] * 7
    assert DEFAULT.is_working_time(sh(2026, 6, 6, 10)) is True  # Saturday works by default
    assert DEFAULT.is_working_time(sh(2026, 6, 7, 16, 59)) is True  # and Sunday


@pytest.mark.parametrize(
    "moment,expected",
    [
        (sh(2026, 6, 1, 8, 59, 59), False),  # just before opening
        (sh(2026, 6, 1, 9), True),  # at opening
        (sh(2026, 6, 1, 9, 0, 1), True),  # just after opening
        (sh(2026, 6, 1, 16, 59, 59), True),  # just before closing
        (sh(2026, 6, 1, 17), False),  # at closing: [start, end)
        (sh(2026, 6, 1, 17, 0, 1), False),  # just after closing
        (sh(2026, 6, 1, 23, 30), False),  # night
        (sh(2026, 6, 2, 3), False),  # small hours
    ],
)
def test_working_time_edges(moment, expected):
    assert DEFAULT.is_working_time(moment) is expected


def test_weekends_with_monday_to_friday():
    assert OFFICE.is_working_day(date(2026, 6, 5)) is True  # Friday
    assert OFFICE.is_working_day(date(2026, 6, 6)) is False  # Saturday
    assert OFFICE.is_working_day(date(2026, 6, 7)) is False  # Sunday
    assert OFFICE.is_working_time(sh(2026, 6, 6, 10)) is False


@pytest.mark.parametrize(
    "cal,moment,expected",
    [
        (DEFAULT, sh(2026, 6, 1, 10, 15), sh(2026, 6, 1, 10, 15)),  # in working time: itself
        (DEFAULT, sh(2026, 6, 1, 9), sh(2026, 6, 1, 9)),  # at opening: itself
        (DEFAULT, sh(2026, 6, 1, 7, 30), sh(2026, 6, 1, 9)),  # early morning: same day
        (DEFAULT, sh(2026, 6, 1, 17), sh(2026, 6, 2, 9)),  # at closing: next morning
        (DEFAULT, sh(2026, 6, 5, 18), sh(2026, 6, 6, 9)),  # Friday night, 7x8: Saturday
        (OFFICE, sh(2026, 6, 5, 18), sh(2026, 6, 8, 9)),  # Friday night, Mon-Fri: Monday
        (OFFICE, sh(2026, 6, 6, 11), sh(2026, 6, 8, 9)),  # Saturday noon: Monday
        (CN, sh(2026, 9, 30, 17, 30), sh(2026, 10, 8, 9)),  # eve of 国庆: after the holiday
    ],
)
def test_next_working_start(cal, moment, expected):
    got = cal.next_working_start(moment)
    assert got == expected
    assert got.tzinfo == SH


@pytest.mark.parametrize(
    "cal,start,delta,expected",
    [
        (DEFAULT, sh(2026, 6, 1, 10), H, sh(2026, 6, 1, 11)),
        (DEFAULT, sh(2026, 6, 1, 16), H, sh(2026, 6, 1, 17)),  # exactly at closing stays there
        (DEFAULT, sh(2026, 6, 1, 9), 8 * H, sh(2026, 6, 1, 17)),  # a full day ends at 17:00
        (DEFAULT, sh(2026, 6, 1, 16, 30), H, sh(2026, 6, 2, 9, 30)),  # carries over the night
        (DEFAULT, sh(2026, 6, 1, 17), H, sh(2026, 6, 2, 10)),  # filed at closing
        (DEFAULT, sh(2026, 6, 1, 22), H, sh(2026, 6, 2, 10)),  # filed at night
        (DEFAULT, sh(2026, 6, 2, 6), H, sh(2026, 6, 2, 10)),  # filed before dawn
        (DEFAULT, sh(2026, 6, 1, 10), 24 * H, sh(2026, 6, 4, 10)),  # three working days
        (OFFICE, sh(2026, 6, 5, 16), 8 * H, sh(2026, 6, 8, 16)),  # Friday over the weekend
        (OFFICE, sh(2026, 6, 6, 12), H, sh(2026, 6, 8, 10)),  # filed on Saturday
        (DEFAULT, sh(2026, 6, 1, 10, 7), timedelta(0), sh(2026, 6, 1, 10, 7)),
        (DEFAULT, sh(2026, 6, 1, 20), timedelta(0), sh(2026, 6, 1, 20)),  # nothing to add: t itself
    ],
)
def test_add_working(cal, start, delta, expected):
    assert cal.add_working(start, delta) == expected


def test_add_working_refuses_negative_time():
    with pytest.raises(ValueError, match="negative"):
        DEFAULT.add_working(sh(2026, 6, 1, 10), -M)


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (sh(2026, 6, 1, 10), sh(2026, 6, 1, 12), 2 * H),
        (sh(2026, 6, 1, 8), sh(2026, 6, 1, 10), H),  # before opening counts nothing
        (sh(2026, 6, 1, 16, 30), sh(2026, 6, 2, 9, 30), H),  # across a night
        (sh(2026, 6, 1, 17), sh(2026, 6, 2, 9), timedelta(0)),  # the night alone
        (sh(2026, 6, 1, 0), sh(2026, 6, 2, 0), 8 * H),
        (sh(2026, 6, 1, 12), sh(2026, 6, 1, 12), timedelta(0)),  # empty
        (sh(2026, 6, 1, 12), sh(2026, 6, 1, 11), timedelta(0)),  # reversed
    ],
)
def test_working_between_default(a, b, expected):
    assert DEFAULT.working_between(a, b) == expected


def test_working_between_skips_weekends():
    assert OFFICE.working_between(sh(2026, 6, 5, 16), sh(2026, 6, 8, 10)) == 2 * H
    assert OFFICE.working_between(sh(2026, 6, 6, 0), sh(2026, 6, 8, 0)) == timedelta(0)
    assert OFFICE.working_between(sh(2026, 6, 1, 0), sh(2026, 6, 8, 0)) == 40 * H


def test_national_day_holidays_and_make_up_days():
    assert CN.is_working_day(date(2026, 9, 26)) is False  # ordinary Saturday
    assert CN.is_working_day(date(2026, 9, 27)) is True  # Sunday, 调休 make-up day
    assert CN.is_working_day(date(2026, 10, 1)) is False  # Thursday, 国庆
    assert CN.is_working_day(date(2026, 10, 5)) is False  # Monday, 国庆
    assert CN.is_working_day(date(2026, 10, 8)) is True  # Thursday after the holiday
    assert CN.is_working_day(date(2026, 10, 10)) is True  # Saturday, 调休
    assert CN.is_working_day(date(2026, 10, 11)) is False  # Sunday
    assert CN.is_working_time(sh(2026, 9, 27, 10)) is True
    assert CN.is_working_time(sh(2026, 10, 2, 10)) is False
    # the last working day before the holiday carries straight to 10-08
    assert CN.add_working(sh(2026, 9, 30, 16), 8 * H) == sh(2026, 10, 8, 16)
    # Saturday 09-26 rolls onto the make-up Sunday, not Monday
    assert CN.add_working(sh(2026, 9, 26, 10), H) == sh(2026, 9, 27, 10)
    assert CN.next_working_start(sh(2026, 10, 9, 18)) == sh(2026, 10, 10, 9)
    # 09-30 and 10-08 are the only working days in [09-30, 10-09)
    assert CN.working_between(sh(2026, 9, 30, 9), sh(2026, 10, 9, 9)) == 16 * H


def test_make_up_day_wins_over_holiday_and_holiday_over_weekday():
    d = date(2026, 10, 3)
    assert WorkCalendar(holidays=frozenset({d})).is_working_day(d) is False
    assert WorkCalendar(holidays=frozenset({d}), workdays=frozenset({d})).is_working_day(d) is True


def test_long_spans_are_cheap():
    summer = frozenset(date(2026, 7, 1) + timedelta(days=i) for i in range(60))  # 07-01 .. 08-29
    cal = WorkCalendar(holidays=summer)
    assert cal.add_working(sh(2026, 6, 30, 16), 2 * H) == sh(2026, 8, 30, 10)
    assert cal.next_working_start(sh(2026, 7, 1, 12)) == sh(2026, 8, 30, 9)
    assert cal.working_between(sh(2026, 6, 30, 9), sh(2026, 8, 31, 9)) == 16 * H
    # a quarter of 7x8: 31 + 28 + 31 days of 8 hours
    assert DEFAULT.working_between(sh(2026, 1, 1), sh(2026, 4, 1)) == 720 * H
    assert DEFAULT.add_working(sh(2026, 1, 1), 720 * H) == sh(2026, 3, 31, 17)


def test_utc_input_gives_shanghai_answer():
    filed = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 16:30 in Shanghai
    assert DEFAULT.is_working_time(filed) is True
    assert DEFAULT.is_working_time(datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) is False  # 17:00 Shanghai
    due = DEFAULT.add_working(filed, H)
    assert due == sh(2026, 6, 2, 9, 30)
    assert due == datetime(2026, 6, 2, 1, 30, tzinfo=UTC)
    assert due.tzinfo == SH and due.utcoffset() == 8 * H
    # 2026-06-01 20:00 UTC is already Tuesday 04:00 in Shanghai
    assert DEFAULT.next_working_start(datetime(2026, 6, 1, 20, tzinfo=UTC)) == sh(2026, 6, 2, 9)
    assert DEFAULT.working_between(datetime(2026, 6, 1, 0, tzinfo=UTC), datetime(2026, 6, 1, 12, tzinfo=UTC)) == 8 * H


def test_calendar_with_daylight_saving_time():
    berlin = WorkCalendar(tz=ZoneInfo("Europe/Berlin"))
    # clocks go forward in the night of 2026-03-28/29; working hours stay 09:00-17:00 local
    due = berlin.add_working(datetime(2026, 3, 28, 16, tzinfo=ZoneInfo("Europe/Berlin")), 2 * H)
    assert due == datetime(2026, 3, 29, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    assert due.utcoffset() == 2 * H
    assert (
        berlin.working_between(
            datetime(2026, 3, 28, 9, tzinfo=ZoneInfo("Europe/Berlin")),
            datetime(2026, 3, 29, 17, tzinfo=ZoneInfo("Europe/Berlin")),
        )
        == 16 * H
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: DEFAULT.is_working_time(datetime(2026, 6, 1, 10)),
        lambda: DEFAULT.next_working_start(datetime(2026, 6, 1, 10)),
        lambda: DEFAULT.add_working(datetime(2026, 6, 1, 10), H),
        lambda: DEFAULT.working_between(datetime(2026, 6, 1, 10), sh(2026, 6, 1, 12)),
        lambda: DEFAULT.working_between(sh(2026, 6, 1, 10), datetime(2026, 6, 1, 12)),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_from_config_defaults_and_values():
    assert WorkCalendar.from_config() == WorkCalendar()
    cal = WorkCalendar.from_config(
        hours=" 08:30 - 17:30 ",
        weekdays="1,2,3,4,5",
        tz="UTC",
        holidays=["2026-10-01", date(2026, 10, 2)],
        workdays=("2026-10-10",),
    )
    assert (cal.start, cal.end) == (time(8, 30), time(17, 30))
    assert cal.day_length() == 9 * H
    assert cal.weekdays == frozenset({0, 1, 2, 3, 4})
    assert cal.tz.key == "UTC"
    assert cal.holidays == frozenset({date(2026, 10, 1), date(2026, 10, 2)})
    assert cal.workdays == frozenset({date(2026, 10, 10)})
    assert WorkCalendar.from_config(weekdays="67").weekdays == frozenset({5, 6})  # weekend desk


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"hours": "9-17"}, "must look like 09:00-17:00, got '9-17'"),
        ({"hours": ""}, "must look like 09:00-17:00"),
        ({"hours": "25:00-26:00"}, "valid times of day"),
        ({"hours": "09:75-17:00"}, "valid times of day"),
        ({"hours": "18:00-09:00"}, "must end after they start, got '18:00-09:00'"),
        ({"hours": "09:00-09:00"}, "must end after they start"),
        ({"weekdays": "0123"}, r"digits 1 \(Monday\) to 7 \(Sunday\), got '0123'"),
        ({"weekdays": "Mon-Fri"}, r"digits 1 \(Monday\) to 7 \(Sunday\)"),
        ({"weekdays": ""}, r"digits 1 \(Monday\) to 7 \(Sunday\)"),
        ({"tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"tz": ""}, "unknown time zone ''"),
        ({"holidays": ["2026-13-01"]}, "holiday must be an ISO date such as 2026-10-01, got '2026-13-01'"),
        ({"workdays": ["next saturday"]}, "make-up working day must be an ISO date"),
    ],
)
def test_from_config_rejects_bad_input_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar.from_config(**kwargs)


def test_direct_construction_is_validated():
    with pytest.raises(ValueError, match="end after they start"):
        WorkCalendar(start=time(17), end=time(9))
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6 \\(Sunday\\)"):
        WorkCalendar(weekdays=frozenset({7}))
    with pytest.raises(ValueError, match="at least one working"):
        WorkCalendar(weekdays=frozenset())


def test_calendar_of_make_up_days_only_ends():
    cal = WorkCalendar(weekdays=frozenset(), workdays=frozenset({date(2026, 10, 10)}))
    assert cal.next_working_start(sh(2026, 10, 1, 12)) == sh(2026, 10, 10, 9)
    with pytest.raises(ValueError, match="no working day on or after 2026-10-11"):
        cal.add_working(sh(2026, 10, 10, 16), 2 * H)


# -- how far the calendar reaches ---------------------------------------------------------------
def test_coverage_names_the_years_missing_and_estimated_within_the_look_ahead():
    today = date(2026, 12, 4)
    cov = coverage(today, 60, {2026: True})
    assert cov.until == date(2027, 2, 2) and cov.missing == (2027,) and not cov.complete
    assert coverage(today, 27, {2026: True}).complete  # until 2026-12-31
    assert coverage(today, 28, {2026: True}).missing == (2027,)  # 2027-01-01 is needed
    cov = coverage(today, 60, {2026: True, 2027: False})
    assert cov.missing == () and cov.estimated == (2027,)
    assert coverage(today, 60, {2026: True, 2027: True, 2025: False}).complete, "past years do not matter"
    assert coverage(date(2026, 3, 1), 400, {}).missing == (2026, 2027)
    with pytest.raises(ValueError):
        coverage(today, -1, {})
