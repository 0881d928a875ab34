from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.core.calendar import WorkCalendar
from portal.tickets import sla
from portal.tickets.sla import Complexity, Risk, Severity, SlaPolicy

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)

DEFAULT = WorkCalendar()  # 7x8
OFFICE = WorkCalendar(weekdays=frozenset(range(5)))  # Monday to Friday
CN = WorkCalendar(
    weekdays=frozenset(range(5)),
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),  # 国庆
    workdays=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
)  # 调休


def sh(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


# 2026-06-01 is a Monday.

# -- first response ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cal,created,severity,expected",
    [
        (DEFAULT, sh(2026, 6, 1, 10), Severity.URGENT, sh(2026, 6, 1, 10, 15)),  # in hours: 15 min
        (DEFAULT, sh(2026, 6, 1, 9), Severity.URGENT, sh(2026, 6, 1, 9, 15)),  # at opening
        (DEFAULT, sh(2026, 6, 1, 16, 50), Severity.URGENT, sh(2026, 6, 1, 17, 5)),  # runs past closing
        (DEFAULT, sh(2026, 6, 1, 17), Severity.URGENT, sh(2026, 6, 1, 17, 30)),  # at closing: after hours
        (DEFAULT, sh(2026, 6, 1, 8, 59), Severity.URGENT, sh(2026, 6, 1, 9, 29)),  # just before opening
        (DEFAULT, sh(2026, 6, 2, 3), Severity.URGENT, sh(2026, 6, 2, 3, 30)),  # at night: 30 min
        (OFFICE, sh(2026, 6, 6, 11), Severity.URGENT, sh(2026, 6, 6, 11, 30)),  # Saturday, Mon-Fri
        (CN, sh(2026, 10, 2, 10), Severity.URGENT, sh(2026, 10, 2, 10, 30)),  # on a holiday
        (DEFAULT, sh(2026, 6, 1, 10), Severity.NORMAL, sh(2026, 6, 1, 11)),  # 1 working hour
        (DEFAULT, sh(2026, 6, 1, 16), Severity.NORMAL, sh(2026, 6, 1, 17)),  # due at closing stays
        (DEFAULT, sh(2026, 6, 1, 16, 30), Severity.NORMAL, sh(2026, 6, 2, 9, 30)),  # next day 09:30
        (DEFAULT, sh(2026, 6, 1, 22), Severity.NORMAL, sh(2026, 6, 2, 10)),  # filed at night
        (OFFICE, sh(2026, 6, 5, 16, 30), Severity.NORMAL, sh(2026, 6, 8, 9, 30)),  # Friday -> Monday
        (OFFICE, sh(2026, 6, 7, 15), Severity.NORMAL, sh(2026, 6, 8, 10)),  # Sunday -> Monday
        (CN, sh(2026, 9, 30, 16, 30), Severity.NORMAL, sh(2026, 10, 8, 9, 30)),  # over 国庆
        (CN, sh(2026, 9, 26, 20), Severity.NORMAL, sh(2026, 9, 27, 10)),  # make-up Sunday
        (CN, sh(2026, 10, 9, 16, 30), Severity.NORMAL, sh(2026, 10, 10, 9, 30)),  # make-up Saturday
    ],
)
def test_first_response_due(cal, created, severity, expected):
    due = sla.first_response_due(created, severity, cal)
    assert due == expected
    assert due.tzinfo == SH


def test_first_response_due_accepts_plain_strings_and_a_policy():
    assert sla.first_response_due(sh(2026, 6, 1, 10), "urgent", DEFAULT) == sh(2026, 6, 1, 10, 15)
    four_hours = SlaPolicy(normal_response=4 * H)
    assert sla.first_response_due(sh(2026, 6, 1, 15), "normal", DEFAULT, four_hours) == sh(2026, 6, 2, 11)
    with pytest.raises(ValueError):
        sla.first_response_due(sh(2026, 6, 1, 10), "critical", DEFAULT)


def test_first_response_due_from_utc():
    filed = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 16:30 in Shanghai
    due = sla.first_response_due(filed, Severity.NORMAL, DEFAULT)
    assert due == sh(2026, 6, 2, 9, 30) == datetime(2026, 6, 2, 1, 30, tzinfo=UTC)
    assert due.isoformat() == "2026-06-02T09:30:00+08:00"
    night = datetime(2026, 6, 1, 12, tzinfo=UTC)  # 20:00 in Shanghai
    assert sla.first_response_due(night, Severity.URGENT, DEFAULT).isoformat() == "2026-06-01T20:30:00+08:00"
    day = datetime(2026, 6, 1, 2, tzinfo=UTC)  # 10:00 in Shanghai
    assert sla.first_response_due(day, Severity.URGENT, DEFAULT).isoformat() == "2026-06-01T10:15:00+08:00"


def test_naive_creation_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        sla.first_response_due(datetime(2026, 6, 1, 10), Severity.NORMAL, DEFAULT)
    with pytest.raises(ValueError, match="timezone-aware"):
        sla.resolution_due(datetime(2026, 6, 1, 10), Complexity.SIMPLE, DEFAULT)


# -- resolution --------------------------------------------------------------------------------


def test_resolution_targets():
    assert sla.resolution_target(Complexity.SIMPLE, DEFAULT) == 8 * H
    assert sla.resolution_target("complex", DEFAULT) == 24 * H
    nine_hours = WorkCalendar.from_config(hours="08:30-17:30")
    assert sla.resolution_target(Complexity.COMPLEX, nine_hours) == 27 * H


@pytest.mark.parametrize(
    "cal,created,complexity,expected",
    [
        (DEFAULT, sh(2026, 6, 1, 10), Complexity.SIMPLE, sh(2026, 6, 2, 10)),
        (DEFAULT, sh(2026, 6, 1, 9), Complexity.SIMPLE, sh(2026, 6, 1, 17)),  # a full day, ends at closing
        (DEFAULT, sh(2026, 6, 1, 20), Complexity.SIMPLE, sh(2026, 6, 2, 17)),  # filed at night
        (DEFAULT, sh(2026, 6, 1, 10), Complexity.COMPLEX, sh(2026, 6, 4, 10)),
        (OFFICE, sh(2026, 6, 4, 10), Complexity.COMPLEX, sh(2026, 6, 9, 10)),  # Thu -> Tue over a weekend
        (OFFICE, sh(2026, 6, 5, 14), Complexity.SIMPLE, sh(2026, 6, 8, 14)),  # Fri -> Mon
        (CN, sh(2026, 9, 30, 14), Complexity.SIMPLE, sh(2026, 10, 8, 14)),  # over 国庆
        (CN, sh(2026, 9, 25, 10), Complexity.COMPLEX, sh(2026, 9, 29, 10)),  # Fri 7 h, make-up Sun, Mon, Tue 1 h
    ],
)
def test_resolution_due_without_pauses(cal, created, complexity, expected):
    assert sla.resolution_due(created, complexity, cal) == expected


def test_pause_spanning_a_night_pushes_by_its_working_time():
    created = sh(2026, 6, 1, 10)  # due 06-02 10:00 without pause
    pause = (sh(2026, 6, 1, 16), sh(2026, 6, 2, 11))  # 1 h on Monday + 2 h on Tuesday
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, [pause]) == sh(2026, 6, 2, 13)


def test_pause_only_at_night_pushes_nothing():
    created = sh(2026, 6, 1, 10)
    pause = (sh(2026, 6, 1, 20), sh(2026, 6, 2, 8))
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, [pause]) == sh(2026, 6, 2, 10)


def test_open_pause_stops_the_clock():
    created = sh(2026, 6, 1, 10)
    pauses = [(sh(2026, 6, 1, 11), sh(2026, 6, 1, 12)), (sh(2026, 6, 1, 14), None)]
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, pauses) is None


def test_pause_after_the_due_time_does_not_hide_a_breach():
    created = sh(2026, 6, 1, 10)  # due 06-02 10:00
    late = (sh(2026, 6, 2, 11), sh(2026, 6, 2, 15))
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, [late]) == sh(2026, 6, 2, 10)


def test_several_pauses_merge_and_chain():
    created = sh(2026, 6, 1, 10)
    overlapping = [(sh(2026, 6, 1, 11, 30), sh(2026, 6, 1, 12, 30)), (sh(2026, 6, 1, 11), sh(2026, 6, 1, 12))]
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, overlapping) == sh(2026, 6, 2, 11, 30)
    # the first pause moves the due time to 06-02 12:00, so a pause at 06-02 11:00 still counts
    chained = [(sh(2026, 6, 1, 11), sh(2026, 6, 1, 13)), (sh(2026, 6, 2, 11), sh(2026, 6, 2, 12))]
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, chained) == sh(2026, 6, 2, 13)
    # a pause from before the ticket existed only counts from its creation
    early = [(sh(2026, 6, 1, 8), sh(2026, 6, 1, 11))]
    assert sla.resolution_due(created, Complexity.SIMPLE, DEFAULT, early) == sh(2026, 6, 2, 11)


def test_pause_over_a_holiday_pushes_only_working_time():
    created = sh(2026, 9, 30, 10)  # due 10-08 10:00 with 国庆
    pause = (sh(2026, 9, 30, 15), sh(2026, 10, 8, 10))  # 2 h on 09-30, 1 h on 10-08
    assert sla.resolution_due(created, Complexity.SIMPLE, CN, [pause]) == sh(2026, 10, 8, 13)


def test_pause_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="cannot end before it starts"):
        sla.resolution_due(sh(2026, 6, 1, 10), Complexity.SIMPLE, DEFAULT, [(sh(2026, 6, 1, 12), sh(2026, 6, 1, 11))])


def test_elapsed_working_excludes_pauses():
    start = sh(2026, 6, 1, 10)
    assert sla.elapsed_working(start, sh(2026, 6, 1, 15), DEFAULT) == 5 * H
    closed_pause = [(sh(2026, 6, 1, 12), sh(2026, 6, 1, 13))]
    assert sla.elapsed_working(start, sh(2026, 6, 1, 15), DEFAULT, closed_pause) == 4 * H
    open_pause = [(sh(2026, 6, 1, 14), None)]
    assert sla.elapsed_working(start, sh(2026, 6, 1, 16), DEFAULT, open_pause) == 4 * H
    assert sla.elapsed_working(start, sh(2026, 6, 2, 10), DEFAULT) == 8 * H  # the night is free


def test_remaining():
    assert sla.remaining(sh(2026, 6, 1, 16, 30), sh(2026, 6, 2, 9, 30), DEFAULT) == H
    assert sla.remaining(sh(2026, 6, 1, 16, 30), sh(2026, 6, 2, 9, 30), DEFAULT, working=False) == 17 * H
    assert sla.remaining(sh(2026, 6, 2, 10), sh(2026, 6, 2, 9, 30), DEFAULT) == -30 * M


# -- risk --------------------------------------------------------------------------------------

NORMAL_START, NORMAL_DUE = sh(2026, 6, 1, 10), sh(2026, 6, 1, 11)


@pytest.mark.parametrize(
    "now,expected",
    [
        (sh(2026, 6, 1, 10), Risk.OK),
        (sh(2026, 6, 1, 10, 44, 59), Risk.OK),
        (sh(2026, 6, 1, 10, 45), Risk.WARNING),  # 75 % used
        (sh(2026, 6, 1, 11), Risk.WARNING),  # at the due time: not yet breached
        (sh(2026, 6, 1, 11, 0, 1), Risk.BREACHED),
        (sh(2026, 6, 3, 9), Risk.BREACHED),
    ],
)
def test_risk_of_a_normal_response(now, expected):
    assert sla.risk(now, NORMAL_START, NORMAL_DUE, cal=DEFAULT) is expected


def test_risk_met_breached_and_paused():
    now = sh(2026, 6, 1, 12)
    assert sla.risk(now, NORMAL_START, NORMAL_DUE, done_at=sh(2026, 6, 1, 10, 59), cal=DEFAULT) is Risk.MET
    assert sla.risk(now, NORMAL_START, NORMAL_DUE, done_at=NORMAL_DUE, cal=DEFAULT) is Risk.MET
    assert sla.risk(now, NORMAL_START, NORMAL_DUE, done_at=sh(2026, 6, 1, 11, 1), cal=DEFAULT) is Risk.BREACHED
    assert sla.risk(sh(2026, 6, 1, 10, 50), NORMAL_START, NORMAL_DUE, paused=True, cal=DEFAULT) is Risk.PAUSED
    assert sla.risk(now, NORMAL_START, None, cal=DEFAULT) is Risk.PAUSED  # open pause: no due time


def test_working_risk_sleeps_over_the_night():
    start, due = sh(2026, 6, 1, 16, 30), sh(2026, 6, 2, 9, 30)  # normal response over a night
    assert sla.risk(sh(2026, 6, 1, 22), start, due, cal=DEFAULT) is Risk.OK  # 30 of 60 min used
    assert sla.risk(sh(2026, 6, 2, 9, 14), start, due, cal=DEFAULT) is Risk.OK
    assert sla.risk(sh(2026, 6, 2, 9, 15), start, due, cal=DEFAULT) is Risk.WARNING
    # measured on the wall clock the same night would already look alarming
    assert sla.risk(sh(2026, 6, 1, 22), start, due, cal=DEFAULT, working=False) is Risk.OK
    assert sla.risk(sh(2026, 6, 2, 6), start, due, cal=DEFAULT, working=False) is Risk.WARNING


@pytest.mark.parametrize(
    "now,expected",
    [
        (sh(2026, 6, 1, 10, 4), Risk.OK),
        (sh(2026, 6, 1, 10, 5), Risk.OK),  # exactly 10 min left
        (sh(2026, 6, 1, 10, 5, 1), Risk.WARNING),  # less than 10 min left, only 34 % used
        (sh(2026, 6, 1, 10, 15, 1), Risk.BREACHED),
    ],
)
def test_urgent_response_warns_on_the_wall_clock(now, expected):
    start, due = sh(2026, 6, 1, 10), sh(2026, 6, 1, 10, 15)
    assert sla.risk(now, start, due, cal=DEFAULT, working=False) is expected


def test_urgent_after_hours_risk():
    start = sh(2026, 6, 1, 20)
    due = sla.first_response_due(start, Severity.URGENT, DEFAULT)
    assert due == sh(2026, 6, 1, 20, 30)
    assert sla.response_in_working_time(Severity.URGENT) is False
    assert sla.response_in_working_time("normal") is True
    assert sla.risk(sh(2026, 6, 1, 20, 10), start, due, cal=DEFAULT, working=False) is Risk.OK
    assert sla.risk(sh(2026, 6, 1, 20, 23), start, due, cal=DEFAULT, working=False) is Risk.WARNING
    assert sla.risk(sh(2026, 6, 1, 20, 31), start, due, cal=DEFAULT, working=False) is Risk.BREACHED


def test_resolution_risk_over_a_working_day():
    start, due = sh(2026, 6, 1, 10), sh(2026, 6, 2, 10)
    assert sla.risk(sh(2026, 6, 1, 15, 59), start, due, cal=DEFAULT) is Risk.OK
    assert sla.risk(sh(2026, 6, 1, 16), start, due, cal=DEFAULT) is Risk.WARNING  # 6 of 8 h
    assert sla.risk(sh(2026, 6, 2, 10, 1), start, due, cal=DEFAULT) is Risk.BREACHED


@pytest.mark.parametrize(
    "start,due,working,expected",
    [
        (sh(2026, 6, 1, 10), sh(2026, 6, 1, 11), True, sh(2026, 6, 1, 10, 45)),
        (sh(2026, 6, 1, 16, 30), sh(2026, 6, 2, 9, 30), True, sh(2026, 6, 2, 9, 15)),
        (sh(2026, 6, 1, 10), sh(2026, 6, 1, 10, 15), False, sh(2026, 6, 1, 10, 5)),
        (sh(2026, 6, 1, 10), sh(2026, 6, 2, 10), True, sh(2026, 6, 1, 16)),
    ],
)
def test_warn_at_is_where_risk_turns(start, due, working, expected):
    at = sla.warn_at(start, due, DEFAULT, working=working)
    assert at == expected
    # the first instant that is strictly inside the warning window
    assert sla.risk(at + S, start, due, cal=DEFAULT, working=working) is Risk.WARNING
    assert sla.risk(at - S, start, due, cal=DEFAULT, working=working) is Risk.OK


def test_policy_is_validated():
    with pytest.raises(ValueError, match="warn_share"):
        SlaPolicy(warn_share=1.5)


# -- KPI ---------------------------------------------------------------------------------------


def test_resolution_time_is_resolution_minus_first_response():
    first = sh(2026, 6, 1, 10, 15)
    assert sla.resolution_time(first, sh(2026, 6, 1, 14, 45)) == timedelta(hours=4, minutes=30)
    assert sla.resolution_time(first, datetime(2026, 6, 2, 2, 15, tzinfo=UTC)) == 24 * H
    with pytest.raises(ValueError, match="before its first response"):
        sla.resolution_time(first, sh(2026, 6, 1, 10))


# -- the tiers ----------------------------------------------------------------------------------
def test_the_standard_tier_responds_in_1_h_and_solves_in_4_service_hours():
    filed = sh(2026, 6, 1, 15)  # Monday 15:00: two service hours left today
    assert sla.resolution_target("standard", DEFAULT) == 4 * H
    assert sla.resolution_due(filed, sla.Tier.STANDARD, DEFAULT) == sh(2026, 6, 2, 11)
    assert sla.first_response_due(filed, "normal", DEFAULT, tier="standard") == sh(2026, 6, 1, 16)
    quick = SlaPolicy(standard_response=30 * timedelta(minutes=1), standard_resolution=2 * H)
    assert sla.first_response_due(filed, "normal", DEFAULT, quick, tier="standard") == sh(2026, 6, 1, 15, 30)
    assert sla.first_response_due(filed, "normal", DEFAULT, quick, tier="simple") == sh(2026, 6, 1, 16)
    assert sla.first_response_due(filed, "urgent", DEFAULT, quick, tier="standard") == sh(2026, 6, 1, 15, 15)
    assert sla.resolution_due(filed, "standard", DEFAULT, policy=quick) == sh(2026, 6, 1, 17)
    assert Complexity is sla.Tier and {t.value for t in sla.Tier} == {"standard", "simple", "complex"}
    with pytest.raises(ValueError):
        SlaPolicy(standard_resolution=timedelta(0))
    with pytest.raises(ValueError):
        sla.resolution_target("gold", DEFAULT)


# -- what the requester is told to expect --------------------------------------------------------
DUE = sh(2026, 6, 1, 13)


@pytest.mark.parametrize(
    ("now", "running", "due", "revised", "promise", "at"),
    [
        (sh(2026, 6, 1, 12), True, DUE, None, "due", DUE),
        (sh(2026, 6, 1, 13), True, DUE, None, "due", DUE),  # at the due time itself: still on time
        (sh(2026, 6, 1, 14), True, DUE, None, "owed", None),  # never a time in the past
        (sh(2026, 6, 1, 14), True, DUE, sh(2026, 6, 2, 10), "revised", sh(2026, 6, 2, 10)),
        (sh(2026, 6, 2, 11), True, DUE, sh(2026, 6, 2, 10), "owed", None),  # the new time passed too
        (sh(2026, 6, 1, 9), True, DUE, sh(2026, 6, 1, 11), "revised", sh(2026, 6, 1, 11)),  # told earlier
        (sh(2026, 6, 1, 12), True, DUE, sh(2026, 6, 1, 11), "owed", None),  # and missed it
        (sh(2026, 6, 1, 14), False, None, None, "none", None),  # waiting for the requester, or done
        (sh(2026, 6, 1, 14), True, None, None, "none", None),
    ],
)
def test_outlook(now, running, due, revised, promise, at):
    seen = sla.outlook(now, running=running, due=due, revised=revised)
    assert (seen.promise, seen.at) == (promise, at)


def test_outlook_says_when_the_first_response_is_late():
    filed_due = sh(2026, 6, 1, 10)
    assert sla.outlook(sh(2026, 6, 1, 11), running=True, due=DUE, response_due=filed_due, responded=False).response_late
    assert not sla.outlook(
        sh(2026, 6, 1, 9), running=True, due=DUE, response_due=filed_due, responded=False
    ).response_late
    assert not sla.outlook(sh(2026, 6, 1, 11), running=True, due=DUE, response_due=filed_due).response_late
    with pytest.raises(ValueError):
        sla.outlook(datetime(2026, 6, 1, 11), running=True, due=DUE)  # naive
