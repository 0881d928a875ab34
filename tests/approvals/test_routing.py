"""Approval routing as pure rules: examples on a small org chart, then properties over random charts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.approvals.routing import (
    LIMITS,
    MAJOR_AMOUNT,
    Delegation,
    OrgChart,
    Person,
    Route,
    RoutingError,
    Step,
    authority,
    route,
)

STAFF, SUP, MGR, DL = "staff", "supervisor", "manager", "division_leader"
SALES, IT = 10, 20

# gm 1 (a division leader without a superior) <- division leaders 2 (sales) and 3 (IT)
# sales: manager 10 <- supervisors 11, 14; staff 12 under 11; staff 13 straight under the manager
# IT:    manager 20 <- supervisor 21 <- staff 22
PEOPLE = [
    Person(1, DL, None, None),
    Person(2, DL, None, 1),
    Person(3, DL, None, 1),
    Person(10, MGR, SALES, 2),
    Person(11, SUP, SALES, 10),
    Person(12, STAFF, SALES, 11),
    Person(13, STAFF, SALES, 10),
    Person(14, SUP, SALES, 10),
    Person(20, MGR, IT, 3),
    Person(21, SUP, IT, 20),
    Person(22, STAFF, IT, 21),
]
ORG = OrgChart({p.id: p for p in PEOPLE}, {SALES: 2, IT: 3})


def chart(*changed: Person, leaders: dict[int, int] | None = None) -> OrgChart:
    people = dict(ORG.people)
    people.update({p.id: p for p in changed})
    return OrgChart(people, ORG.division_leaders if leaders is None else leaders)


def ids(r: Route) -> list[int]:
    return [s.approver_id for s in r.steps]


def originals(r: Route) -> list[int]:
    return [s.approver_id if s.acting_for is None else s.acting_for for s in r.steps]


# ---------------------------------------------------------------- examples


def test_authority_matrix():
    assert authority(SUP, Decimal("99999.99"), True) and not authority(SUP, Decimal(100_000), True)
    assert not authority(SUP, Decimal(1), False), "a supervisor approves only within their own department"
    assert authority(MGR, Decimal("499999.99"), False) and not authority(MGR, Decimal(500_000), True)
    assert authority(DL, Decimal(10**9), False)
    assert not authority(STAFF, Decimal(0), True) and not authority("gm", Decimal(0), True)


@pytest.mark.parametrize(
    "amount, expected, fast, reason",
    [
        ("50000", [11], False, "amount"),
        ("300000", [11, 10], False, "amount"),
        ("800000", [11, 10, 2], False, "amount"),
        ("1500000", [11, 2], True, "major_amount"),
        ("0", [11], False, "amount"),
        ("99999.99", [11], False, "amount"),
        ("100000", [11, 10], False, "amount"),
        ("499999.99", [11, 10], False, "amount"),
        ("500000", [11, 10, 2], False, "amount"),
        ("1000000", [11, 10, 2], False, "amount"),
        ("1000000.01", [11, 2], True, "major_amount"),
    ],
)
def test_staff_under_a_supervisor(amount, expected, fast, reason):
    r = route(12, Decimal(amount), ORG)
    assert (ids(r), r.fast_track, r.reason) == (expected, fast, reason)
    assert [s.position for s in r.steps] == [ORG.people[i].position for i in expected]


def test_cross_department_takes_the_fast_track_whatever_the_amount():
    r = route(12, Decimal(50_000), ORG, target_department_id=IT)
    assert (ids(r), r.fast_track, r.reason) == ([11, 2], True, "cross_department")
    assert route(12, Decimal(2_000_000), ORG, target_department_id=IT).reason == "major_amount"
    assert not route(12, Decimal(50_000), ORG, target_department_id=SALES).fast_track, "own department"
    assert ids(route(22, Decimal(1), ORG, target_department_id=SALES)) == [21, 3], "the requester's leader"


def test_a_skipped_level_is_no_step():
    assert ids(route(13, Decimal(50_000), ORG)) == [10]
    assert ids(route(13, Decimal(300_000), ORG)) == [10]
    assert ids(route(13, Decimal(800_000), ORG)) == [10, 2]
    assert ids(route(13, Decimal(1_500_000), ORG)) == [10, 2]
    # a supervisor reporting straight to the division leader
    org = chart(replace(ORG.people[11], superior_id=2))
    assert ids(route(12, Decimal(300_000), org)) == [11, 2]


def test_nobody_approves_their_own_request():
    assert ids(route(11, Decimal(50_000), ORG)) == [10], "a supervisor starts at their manager"
    assert ids(route(10, Decimal(800_000), ORG)) == [2]
    # the manager's superior is the responsible leader: the second level is the one above
    assert ids(route(10, Decimal(1_500_000), ORG)) == [2, 1]
    # a division leader who leads their own department: only the gm is left, one step
    org = chart(replace(ORG.people[2], department_id=SALES))
    assert ids(route(2, Decimal(1_500_000), org)) == [1]
    assert ids(route(2, Decimal(800_000), org)) == [1]
    with pytest.raises(RoutingError) as err:
        route(1, Decimal(1), ORG)
    assert err.value.code == "no_approver"


def test_inactive_people_are_passed_over():
    org = chart(replace(ORG.people[11], active=False))
    assert ids(route(12, Decimal(50_000), org)) == [10]
    assert ids(route(12, Decimal(1_500_000), org)) == [10, 2]
    org = chart(replace(ORG.people[2], active=False))
    assert ids(route(12, Decimal(800_000), org)) == [11, 10, 1]
    assert ids(route(12, Decimal(1_500_000), org)) == [11, 1], "inactive leader: the next with authority"
    with pytest.raises(RoutingError) as err:
        route(12, Decimal(1), chart(replace(ORG.people[12], active=False)))
    assert err.value.code == "requester_inactive"


def test_missing_superior_or_leader():
    orphan = Person(30, STAFF, SALES, None)
    org = chart(orphan)
    with pytest.raises(RoutingError) as err:
        route(30, Decimal(1), org)
    assert err.value.code == "no_approver"
    assert ids(route(30, Decimal(1_500_000), org)) == [2, 1], "the leader, then the level above them"
    lost = chart(Person(31, STAFF, SALES, 999))
    with pytest.raises(RoutingError):
        route(31, Decimal(1), lost)
    no_leader = chart(leaders={IT: 3})
    assert ids(route(12, Decimal(1_500_000), no_leader)) == [11, 2], "next superior with the authority"
    with pytest.raises(RoutingError):
        route(1, Decimal(1_500_000), chart(leaders={}))
    # a supervisor at the top of what is left, no leader: nobody with the authority for a major item
    cut = chart(replace(ORG.people[11], superior_id=None), leaders={})
    with pytest.raises(RoutingError) as err:
        route(12, Decimal(1_500_000), cut)
    assert err.value.code == "no_approver"


def test_a_supervisor_has_no_authority_over_a_cross_department_item():
    # staff 12 -> supervisor 11 -> supervisor 14 -> manager 10, and no leader for sales
    org = chart(replace(ORG.people[11], superior_id=14), leaders={IT: 3})
    assert ids(route(12, Decimal(50_000), org)) == [11]
    assert ids(route(12, Decimal(50_000), org, target_department_id=IT)) == [11, 10]


def test_a_cycle_in_the_chart_ends_the_chain():
    org = chart(replace(ORG.people[10], superior_id=11))  # manager <-> supervisor
    assert [p.id for p in org.chain_above(org.people[12])] == [11, 10]
    assert ids(route(12, Decimal(300_000), org)) == [11, 10]
    with pytest.raises(RoutingError):
        route(12, Decimal(800_000), org)


def test_bad_input():
    for bad in (Decimal(-1), Decimal("NaN"), Decimal("Infinity"), 1.5, "100"):
        with pytest.raises(RoutingError) as err:
            route(12, bad, ORG)  # type: ignore[arg-type]
        assert err.value.code == "invalid_amount"
    with pytest.raises(RoutingError) as err:
        route(404, Decimal(1), ORG)
    assert err.value.code == "unknown_requester"
    assert ids(route(12, 50_000, ORG)) == [11], "an int is a whole amount"  # type: ignore[arg-type]


def test_delegation():
    day = date(2026, 5, 4)
    away = Delegation(11, 14, day, day + timedelta(days=4))
    r = route(12, Decimal(50_000), ORG, on=day, delegations=[away])
    assert r.steps == (Step(14, SUP, acting_for=11),)
    last_day = route(12, Decimal(50_000), ORG, on=day + timedelta(days=4), delegations=[away])
    assert last_day.steps[0].acting_for == 11, "both ends of the period count"
    assert ids(route(12, Decimal(50_000), ORG, on=day + timedelta(days=5), delegations=[away])) == [11]
    assert ids(route(12, Decimal(50_000), ORG, on=day - timedelta(days=1), delegations=[away])) == [11]
    assert ids(route(12, Decimal(50_000), ORG, delegations=[away])) == [11], "no day, no delegation"
    # the delegate is the requester: the approver stays
    assert ids(route(12, Decimal(50_000), ORG, on=day, delegations=[Delegation(11, 12, day, day)])) == [11]
    # the delegate is already on the route: the approver stays, nobody twice
    assert ids(route(12, Decimal(300_000), ORG, on=day, delegations=[Delegation(11, 10, day, day)])) == [11, 10]
    # an inactive delegate is ignored; the next usable delegation wins
    org = chart(replace(ORG.people[14], active=False))
    two = [Delegation(11, 14, day, day), Delegation(11, 21, day, day)]
    assert route(12, Decimal(50_000), org, on=day, delegations=two).steps == (Step(21, SUP, acting_for=11),)
    # a fast-track leader's delegate
    r = route(12, Decimal(1_500_000), ORG, on=day, delegations=[Delegation(2, 3, day, day)])
    assert r.steps == (Step(11, SUP), Step(3, DL, acting_for=2))
    # two absent approvers with the same stand-in: only the first step gets them
    both = [Delegation(11, 14, day, day), Delegation(10, 14, day, day)]
    r = route(12, Decimal(300_000), ORG, on=day, delegations=both)
    assert r.steps == (Step(14, SUP, acting_for=11), Step(10, MGR))


# ---------------------------------------------------------------- properties


@dataclass(frozen=True)
class Chart:
    org: OrgChart
    gm: int
    departments: tuple[int, ...]


def active():
    return st.sampled_from([True, True, True, False])


@st.composite
def org_charts(draw) -> Chart:
    """A gm (always active, no superior, no department), 1-3 division leaders under them, 1-4
    departments each with a manager, 1-3 supervisors and some staff; superiors are drawn from the
    levels above (levels may be skipped); division leaders cover some departments; some people are
    inactive."""
    next_id = iter(range(1, 10_000)).__next__
    departments = tuple(range(100, 100 + draw(st.integers(1, 4))))
    gm = Person(next_id(), DL, None, None)
    people = [gm]
    leaders = [
        Person(next_id(), DL, draw(st.sampled_from((None,) + departments)), gm.id, draw(active()))
        for _ in range(draw(st.integers(1, 3)))
    ]
    people += leaders
    responsible: dict[int, int] = {}
    for dept in departments:
        leader = draw(st.sampled_from(leaders + [None, leaders[0]]))
        if leader is not None:
            responsible[dept] = leader.id
        manager = Person(next_id(), MGR, dept, draw(st.sampled_from([p.id for p in leaders] + [gm.id])), draw(active()))
        above_sups = [manager.id, manager.id] + [p.id for p in leaders]  # mostly the manager
        sups = [
            Person(next_id(), SUP, dept, draw(st.sampled_from(above_sups)), draw(active()))
            for _ in range(draw(st.integers(1, 3)))
        ]
        above_staff = [p.id for p in sups] + [manager.id]
        staff = [
            Person(next_id(), STAFF, dept, draw(st.sampled_from(above_staff)), draw(active()))
            for _ in range(draw(st.integers(0, 4)))
        ]
        people += [manager, *sups, *staff]
    return Chart(OrgChart({p.id: p for p in people}, responsible), gm.id, departments)


BOUNDARIES = [
    Decimal(a)
    for a in (
        "0",
        "0.01",
        "99999.99",
        "100000",
        "100000.00",
        "100000.01",
        "499999.99",
        "500000",
        "999999.99",
        "1000000",
        "1000000.00",
        "1000000.01",
        "1500000",
    )
]
amounts = st.one_of(
    st.sampled_from(BOUNDARIES),
    st.integers(0, 3_000_000).map(Decimal),
    st.decimals(min_value=0, max_value=3_000_000, places=2, allow_nan=False, allow_infinity=False),
)
DAY0 = date(2026, 1, 1)
days = st.integers(0, 10).map(lambda n: DAY0 + timedelta(days=n))


@dataclass(frozen=True)
class Request:
    chart: Chart
    requester: Person
    amount: Decimal
    target: int | None
    on: date | None
    delegations: tuple[Delegation, ...]

    def route(self, with_delegations: bool = True) -> Route:
        return route(
            self.requester.id,
            self.amount,
            self.chart.org,
            target_department_id=self.target,
            on=self.on,
            delegations=self.delegations if with_delegations else (),
        )

    @property
    def major(self) -> bool:
        return self.amount > MAJOR_AMOUNT or self.cross

    @property
    def cross(self) -> bool:
        return self.target is not None and self.target != self.requester.department_id

    def can(self, person: Person) -> bool:
        dept = self.requester.department_id
        return authority(
            person.position, self.amount, not self.cross and dept is not None and person.department_id == dept
        )

    def eligible_chain(self) -> list[Person]:
        return [p for p in self.chart.org.chain_above(self.requester) if p.active and p.position in LIMITS]

    def usable_leader(self) -> Person | None:
        org = self.chart.org
        leader = org.people.get(org.division_leaders.get(self.requester.department_id, -1))
        if leader is None or not leader.active or leader.id == self.requester.id or not self.can(leader):
            return None
        return leader


@st.composite
def requests(draw, with_delegations: bool = True) -> Request:
    chart = draw(org_charts())
    people = list(chart.org.people.values())
    askers = [p for p in people if p.active and p.id != chart.gm]
    assume(askers)
    requester = draw(st.sampled_from(askers))
    delegations: tuple[Delegation, ...] = ()
    on = None
    if with_delegations:
        ids_ = [p.id for p in people]
        above = [p.id for p in chart.org.chain_above(requester)]  # the likely approvers ...
        stand_ins = st.sampled_from(ids_[:6]) | st.sampled_from(ids_)  # ... and a few shared stand-ins
        delegations = tuple(
            draw(
                st.lists(
                    st.builds(
                        lambda a, d, s, n: Delegation(a, d, s, s + timedelta(days=n)),
                        st.sampled_from(above) | st.sampled_from(ids_),
                        stand_ins,
                        days,
                        st.integers(0, 6),
                    ),
                    max_size=8,
                )
            )
        )
        on = draw(st.none() | days)
    target = draw(st.none() | st.sampled_from(chart.departments))
    return Request(chart, requester, draw(amounts), target, on, delegations)


@settings(max_examples=300, deadline=None)
@given(req=requests())
def test_every_request_gets_exactly_one_route(req):
    r = req.route()
    assert r == req.route(), "deterministic"
    assert len(r.steps) >= 1
    assert r.fast_track == req.major
    assert r.reason == ("major_amount" if req.amount > MAJOR_AMOUNT else "cross_department" if req.cross else "amount")


@settings(max_examples=300, deadline=None)
@given(chart=org_charts(), amount=amounts)
def test_the_top_of_the_chart_has_nobody_to_ask(chart, amount):
    with pytest.raises(RoutingError) as err:
        route(chart.gm, amount, chart.org)
    assert err.value.code == "no_approver"


@settings(max_examples=300, deadline=None)
@given(req=requests())
def test_nobody_approves_their_own_request_or_twice_or_while_inactive(req):
    r = req.route()
    people = ids(r) + [s.acting_for for s in r.steps if s.acting_for is not None]
    assert req.requester.id not in people
    assert len(people) == len(set(people)), "no person twice in a route"
    assert all(req.chart.org.people[i].active for i in people)
    for step, original in zip(r.steps, originals(r)):
        assert step.position == req.chart.org.people[original].position
        assert step.position in (SUP, MGR, DL)


@settings(max_examples=300, deadline=None)
@given(req=requests())
def test_the_last_step_has_the_authority_for_the_amount(req):
    r = req.route()
    assert req.can(req.chart.org.people[originals(r)[-1]])


@settings(max_examples=300, deadline=None)
@given(req=requests(with_delegations=False).filter(lambda q: not q.major))
def test_a_normal_route_climbs_the_chain_to_the_first_with_authority(req):
    org, r = req.chart.org, req.route()
    chain = req.eligible_chain()
    steps = [org.people[i] for i in ids(r)]
    assert steps == chain[: len(steps)], "the eligible superiors in order, none skipped"
    assert not any(req.can(p) for p in steps[:-1]), "it ends at the first with the authority"
    for lower, upper in zip(steps, steps[1:]):
        assert upper in org.chain_above(lower), "every step is a superior above the previous"
    assert steps[0] in org.chain_above(req.requester)


@settings(max_examples=300, deadline=None)
@given(req=requests(with_delegations=False).filter(lambda q: q.major))
def test_a_fast_track_route_has_two_steps_direct_superior_then_the_leader(req):
    r = req.route()
    chain, leader = req.eligible_chain(), req.usable_leader()
    candidates = {p.id for p in chain} | ({leader.id} if leader else set())
    assert len(r.steps) == (2 if len(candidates) >= 2 else 1)
    assert ids(r)[0] == chain[0].id, "the direct superior first"
    if leader is not None and leader.id != chain[0].id:
        assert ids(r) == [chain[0].id, leader.id]


@settings(max_examples=300, deadline=None)
@given(req=requests())
def test_delegation_changes_who_acts_not_who_is_accountable(req):
    r = req.route()
    assert originals(r) == ids(req.route(with_delegations=False))
    on_route = set(ids(r)) | set(originals(r)) | {req.requester.id}
    for step in r.steps:
        original = step.acting_for if step.acting_for is not None else step.approver_id
        covering = [
            d
            for d in req.delegations
            if req.on is not None and d.approver_id == original and d.starts <= req.on <= d.ends
        ]
        if step.acting_for is not None:
            assert any(d.delegate_id == step.approver_id for d in covering)
        else:
            assert all(d.delegate_id in on_route or not req.chart.org.people[d.delegate_id].active for d in covering), (
                "a usable delegation was ignored"
            )


@settings(max_examples=300, deadline=None)
@given(
    position=st.sampled_from([STAFF, SUP, MGR, DL, "gm"]),
    same=st.booleans(),
    amount=amounts,
    less=st.decimals(min_value=0, max_value=1, places=2),
)
def test_authority_is_a_limit(position, same, amount, less):
    limit = LIMITS.get(position)
    expected = position in LIMITS and (same or position != SUP) and (limit is None or amount < limit)
    assert authority(position, amount, same) == expected
    if authority(position, amount, same) and amount >= less:
        assert authority(position, amount - less, same), "a smaller amount is within the same authority"
