"""Due times on whole working days, and who may see and act (pure rules)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.approvals import access, due

SH = ZoneInfo("Asia/Shanghai")
CAL = due.whole_day_calendar(holidays=[date(2026, 10, 1), date(2026, 10, 2)], workdays=[date(2026, 10, 10)])
LIMITS = due.Limits(step_hours=24, fast_track_hours=24)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        (at(2026, 11, 30, 15, 0), at(2026, 12, 1, 15, 0)),  # Monday -> Tuesday
        (at(2026, 12, 4, 15, 0), at(2026, 12, 7, 15, 0)),  # Friday -> Monday: the weekend does not count
        (at(2026, 12, 5, 10, 0), at(2026, 12, 8, 0, 0)),  # Saturday: the clock starts Monday 00:00
        (at(2026, 9, 30, 12, 0), at(2026, 10, 5, 12, 0)),  # holidays 1-2 Oct, weekend 3-4 Oct
        (at(2026, 10, 9, 12, 0), at(2026, 10, 10, 12, 0)),  # Saturday 10 Oct is a make-up working day
    ],
)
def test_fast_track_is_24_hours_on_working_days(submitted, expected):
    assert due.request_due(submitted, 2, True, CAL, LIMITS) == expected
    assert due.step_due(submitted, 1, 2, True, submitted, CAL, LIMITS) == expected


def test_fast_track_spreads_the_time_over_its_steps():
    t0 = at(2026, 11, 30, 15, 0)
    first = due.step_due(t0, 0, 2, True, t0, CAL, LIMITS)
    assert first == at(2026, 12, 1, 3, 0)
    # the second step is due at the promise for the request, however late the first decision came
    assert due.step_due(at(2026, 12, 1, 14, 0), 1, 2, True, t0, CAL, LIMITS) == at(2026, 12, 1, 15, 0)


def test_normal_steps_get_their_own_time_from_when_they_start():
    started = at(2026, 12, 4, 9, 0)  # Friday
    assert due.step_due(started, 1, 3, False, at(2026, 12, 3, 9, 0), CAL, LIMITS) == at(2026, 12, 7, 9, 0)
    assert due.request_due(at(2026, 12, 1, 9, 0), 3, False, CAL, LIMITS) == at(2026, 12, 4, 9, 0)


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        due.Limits(step_hours=0)
    assert due.request_due(at(2026, 12, 1, 9, 0), 1, False, CAL, due.Limits(step_hours=8)) == at(2026, 12, 1, 17, 0)


def test_only_working_time_counts_between():
    assert CAL.working_between(at(2026, 12, 4, 12, 0), at(2026, 12, 7, 12, 0)) == timedelta(hours=24)


def test_who_sees_a_request():
    assert access.can_view(1, [], requester_id=1, participants={2})
    assert access.can_view(2, [], requester_id=1, participants={2})
    assert not access.can_view(3, ["employee", "support"], requester_id=1, participants={2})
    assert access.can_view(3, ["admin"], requester_id=1, participants={2})


def test_who_decides_a_step():
    assert access.may_decide(2, requester_id=1, step_approver_id=2, delegators=set())
    assert access.may_decide(5, requester_id=1, step_approver_id=2, delegators={2})  # stands in for 2
    assert not access.may_decide(5, requester_id=1, step_approver_id=2, delegators={3})
    assert not access.may_decide(1, requester_id=1, step_approver_id=1, delegators=set())  # never one's own
    assert not access.may_decide(1, requester_id=1, step_approver_id=2, delegators={2})
    assert access.may_change(1, 1) and not access.may_change(2, 1)


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(0, 60 * 24 * 20),
)
def test_adding_working_time_and_measuring_it_agree(start, minutes):
    t = start.replace(tzinfo=SH)
    end = CAL.add_working(t, timedelta(minutes=minutes))
    assert end >= t
    assert CAL.working_between(t, end) == timedelta(minutes=minutes)
    if minutes:
        assert CAL.is_working_day(end.astimezone(SH).date()) or end.astimezone(SH).time() == datetime.min.time()


def test_one_person_decides_one_step_of_a_round():
    from portal.approvals.access import Holder, decides_twice

    steps = [Holder(0, 11, decided_by=11), Holder(1, 12), Holder(2, 13)]
    assert decides_twice(11, 1, steps)  # decided step 0 already, now standing in for 12
    assert not decides_twice(12, 1, steps)  # the step's own approver
    assert decides_twice(13, 1, steps)  # step 2 is still 13's own to decide
    stood_in = [Holder(0, 11, decided_by=20), Holder(1, 12)]
    assert decides_twice(20, 1, stood_in)  # a stand-in for step 0 may not decide step 1
    assert not decides_twice(11, 1, stood_in)  # 11 did not decide step 0 (20 did)
