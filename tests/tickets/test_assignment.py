from datetime import UTC, datetime

import pytest

from portal.tickets.assignment import Candidate, needs_escalation, pick_assignee
from portal.tickets.sla import Complexity, Risk

EAST, WEST, NORTH = 1, 2, 3


def at(day, hour=9):
    return datetime(2026, 6, day, hour, tzinfo=UTC)


def test_no_candidates_no_assignee():
    assert pick_assignee([], EAST) is None
    assert pick_assignee([Candidate(1, EAST, 0, None)], EAST, senior=True) is None  # nobody senior


def test_requesters_region_comes_first():
    people = [Candidate(1, WEST, 0, None), Candidate(2, EAST, 5, at(1)), Candidate(3, EAST, 3, at(2))]
    assert pick_assignee(people, EAST) == 3  # busier than engineer 1, but in the right region
    assert pick_assignee(people, WEST) == 1


def test_least_open_load_wins():
    people = [Candidate(1, EAST, 4, None), Candidate(2, EAST, 2, at(3)), Candidate(3, EAST, 7, None)]
    assert pick_assignee(people, EAST) == 2


def test_round_robin_tie_break():
    people = [Candidate(5, EAST, 2, at(3)), Candidate(6, EAST, 2, at(1)), Candidate(7, EAST, 2, at(2))]
    assert pick_assignee(people, EAST) == 6  # assigned longest ago
    people.append(Candidate(9, EAST, 2, None))
    assert pick_assignee(people, EAST) == 9  # never assigned goes first
    people.append(Candidate(8, EAST, 2, None))
    assert pick_assignee(people, EAST) == 8  # then the lowest user id
    same_time = [Candidate(12, EAST, 1, at(1)), Candidate(11, EAST, 1, at(1))]
    assert pick_assignee(same_time, EAST) == 11


def test_round_robin_across_successive_tickets():
    people = {uid: Candidate(uid, EAST, 0, None) for uid in (1, 2, 3)}
    order = []
    for n in range(6):
        chosen = pick_assignee(list(people.values()), EAST)
        order.append(chosen)
        # the ticket is solved at once: load stays 0, only the last assignment moves
        people[chosen] = Candidate(chosen, EAST, 0, at(1, 9 + n))
    assert order == [1, 2, 3, 1, 2, 3]


def test_fallback_to_everyone_when_the_region_has_nobody():
    people = [Candidate(1, WEST, 3, None), Candidate(2, EAST, 1, at(1))]
    assert pick_assignee(people, NORTH) == 2
    assert pick_assignee(people, None) == 2  # requester without region: everyone


def test_seniors_only_when_asked():
    people = [
        Candidate(1, EAST, 0, None),
        Candidate(2, EAST, 4, at(1), senior=True),
        Candidate(3, WEST, 1, at(1), senior=True),
        Candidate(4, WEST, 9, None, senior=True),
    ]
    assert pick_assignee(people, EAST) == 1  # seniors take normal tickets too
    assert pick_assignee(people, EAST, senior=True) == 2  # the senior of the region
    assert pick_assignee(people, WEST, senior=True) == 3
    assert pick_assignee(people, NORTH, senior=True) == 3  # no senior there: least-loaded senior
    people.append(Candidate(5, EAST, 0, None))
    assert pick_assignee(people, EAST, senior=True) == 2  # a junior never counts as senior


@pytest.mark.parametrize(
    "complexity,risk_now,escalated,expected",
    [
        (Complexity.COMPLEX, Risk.OK, False, True),
        (Complexity.COMPLEX, None, False, True),
        (Complexity.SIMPLE, Risk.BREACHED, False, True),
        (Complexity.SIMPLE, Risk.OK, False, False),
        (Complexity.SIMPLE, Risk.WARNING, False, False),
        (Complexity.SIMPLE, Risk.MET, False, False),
        (Complexity.SIMPLE, None, False, False),
        (Complexity.COMPLEX, Risk.BREACHED, True, False),  # once only
        (Complexity.SIMPLE, Risk.BREACHED, True, False),
        ("complex", "ok", False, True),
        ("simple", "breached", False, True),
    ],
)
def test_needs_escalation(complexity, risk_now, escalated, expected):
    assert needs_escalation(complexity, risk_now, escalated) is expected
