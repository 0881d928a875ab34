"""Who approves a request: its route, computed at submission from plain values (no database).

The rules (MISSION.md, "Approvals"; issue 5):

- Authority: a business supervisor approves below 100,000 CNY, and only items of their own
  department; a manager below 500,000 CNY; a division leader any amount. Staff only submit. A
  general manager is a division leader without a superior (as in the demo org chart).
- Normal route: the requester's superiors upward, one step each, ending at the first who has the
  authority for the amount. Staff under a supervisor: 50,000 -> [supervisor]; 300,000 ->
  [supervisor, manager]; 800,000 -> [supervisor, manager, division leader].
- Fast track, for a major item (amount over 1,000,000, or a target department other than the
  requester's): two steps, the direct superior and then the division leader responsible for the
  requester's department. When that leader is missing, inactive, the requester or the direct
  superior, the second step is the first superior above the first step with the authority for the
  amount; a requester without any superior gets the leader first and the next one above them
  second. Where the chart holds only one possible approver (a division leader whose department
  they lead themselves, reporting to the general manager) the fast track is that one step.

Choices for charts that are not textbook:

- A chain that skips a level is taken as it is; the missing level is no step (staff reporting to a
  manager: 50,000 -> [manager], 800,000 -> [manager, division leader]).
- Inactive people and people without an approver position (staff) in the chain are passed over:
  the next superior up takes their place. A chain ends at an unknown id and never loops.
- Nobody is on their own route: a supervisor or manager who asks starts at their superior.
- A delegation covering the day `on` (both ends included) puts its delegate on the step in place of
  the absent approver (Step.acting_for); the step keeps the absent approver's position, whose
  authority counts. It is ignored, and the approver stays, when the delegate is the requester,
  inactive, unknown, or already on the route. Delegations are not chained; the first usable one in
  the order given wins; without `on` none applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.auth.roles import APPROVER_POSITIONS, Position

LIMITS: Mapping[str, Decimal | None] = {  # position -> approves amounts strictly below (None: any)
    Position.SUPERVISOR: Decimal(100_000),  # and only within their own department
    Position.MANAGER: Decimal(500_000),
    Position.DIVISION_LEADER: None,
}
MAJOR_AMOUNT = Decimal(1_000_000)  # strictly over it: the fast track


class RoutingError(ValueError):
    """No route: `code` is unknown_requester, requester_inactive, invalid_amount or no_approver."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Person:
    id: int
    position: str
    department_id: int | None
    superior_id: int | None
    active: bool = True


@dataclass(frozen=True)
class OrgChart:
    people: Mapping[int, Person]
    division_leaders: Mapping[int, int] = field(default_factory=dict)  # department id -> user id

    def superior_of(self, person: Person) -> Person | None:
        return None if person.superior_id is None else self.people.get(person.superior_id)

    def chain_above(self, person: Person) -> tuple[Person, ...]:
        """The superiors upward, active or not, stopping at an unknown id or a cycle."""
        chain: list[Person] = []
        seen = {person.id}
        above = self.superior_of(person)
        while above is not None and above.id not in seen:
            chain.append(above)
            seen.add(above.id)
            above = self.superior_of(above)
        return tuple(chain)


@dataclass(frozen=True)
class Delegation:
    approver_id: int
    delegate_id: int
    starts: date
    ends: date


@dataclass(frozen=True)
class Step:
    approver_id: int
    position: str  # the capacity: supervisor | manager | division_leader
    acting_for: int | None = None


@dataclass(frozen=True)
class Route:
    steps: tuple[Step, ...]
    fast_track: bool
    reason: str  # amount | major_amount | cross_department


def authority(position: str, amount: Decimal, same_department: bool) -> bool:
    if position not in LIMITS or (position == Position.SUPERVISOR and not same_department):
        return False
    limit = LIMITS[position]
    return limit is None or amount < limit


def route(
    requester_id: int,
    amount: Decimal,
    org: OrgChart,
    *,
    target_department_id: int | None = None,
    on: date | None = None,
    delegations: Sequence[Delegation] = (),
) -> Route:
    requester = org.people.get(requester_id)
    if requester is None:
        raise RoutingError("unknown_requester", str(requester_id))
    if not requester.active:
        raise RoutingError("requester_inactive", str(requester_id))
    if (
        isinstance(amount, bool)
        or not isinstance(amount, (Decimal, int))
        or not Decimal(amount).is_finite()
        or amount < 0
    ):
        raise RoutingError("invalid_amount", repr(amount))
    amount = Decimal(amount)
    dept = requester.department_id
    cross = target_department_id is not None and target_department_id != dept

    def can(p: Person) -> bool:
        return authority(p.position, amount, not cross and dept is not None and p.department_id == dept)

    chain = [p for p in org.chain_above(requester) if _eligible(p)]
    if amount > MAJOR_AMOUNT or cross:
        approvers = _fast_track(requester, chain, org, can)
        reason = "major_amount" if amount > MAJOR_AMOUNT else "cross_department"
    else:
        approvers = _normal(chain, can)
        reason = "amount"
    steps = _with_delegates(approvers, requester.id, org, on, delegations)
    return Route(steps, fast_track=reason != "amount", reason=reason)


def _eligible(p: Person) -> bool:
    return p.active and p.position in APPROVER_POSITIONS


def _normal(chain: list[Person], can: Callable[[Person], bool]) -> list[Person]:
    for i, person in enumerate(chain):
        if can(person):
            return chain[: i + 1]
    raise RoutingError("no_approver", "no superior has the authority for the amount")


def _fast_track(requester: Person, chain: list[Person], org: OrgChart, can: Callable[[Person], bool]) -> list[Person]:
    leader_id = None if requester.department_id is None else org.division_leaders.get(requester.department_id)
    leader = None if leader_id is None else org.people.get(leader_id)
    if leader is not None and not (_eligible(leader) and leader.id != requester.id and can(leader)):
        leader = None
    first = chain[0] if chain else leader
    if first is None:
        raise RoutingError("no_approver", "neither a superior nor a division leader")
    if leader is not None and leader.id != first.id:
        return [first, leader]
    above = chain[1:] if chain else [p for p in org.chain_above(first) if _eligible(p) and p.id != requester.id]
    second = next((p for p in above if can(p)), None)
    if second is not None:
        return [first, second]
    if can(first):
        return [first]
    raise RoutingError("no_approver", "no second level with the authority for the amount")


def _with_delegates(
    approvers: list[Person], requester_id: int, org: OrgChart, on: date | None, delegations: Sequence[Delegation]
) -> tuple[Step, ...]:
    taken = {requester_id} | {p.id for p in approvers}
    steps = []
    for person in approvers:
        delegate = None
        if on is not None:
            delegate = next(
                (
                    d.delegate_id
                    for d in delegations
                    if d.approver_id == person.id
                    and d.starts <= on <= d.ends
                    and d.delegate_id not in taken
                    and (p := org.people.get(d.delegate_id)) is not None
                    and p.active
                ),
                None,
            )
        if delegate is None:
            steps.append(Step(person.id, str(person.position)))
        else:
            taken.add(delegate)
            steps.append(Step(delegate, str(person.position), acting_for=person.id))
    return tuple(steps)
