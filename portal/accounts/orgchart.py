"""The org chart as people read it (pure): per department, everyone under the one they report to.

Within a department a person sits under their direct superior when the superior is in the same
department, and at the top otherwise (a manager reporting to a division leader elsewhere, or
nobody). A broken chain (a loop the data somehow holds) never hides anyone: who cannot be reached
from a top is put at the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    username: str
    position: str
    department_id: int | None
    superior_id: int | None


@dataclass
class Node:
    person: Person
    reports: list[Node] = field(default_factory=list)

    @property
    def size(self) -> int:
        return 1 + sum(r.size for r in self.reports)


def _key(p: Person) -> tuple:
    return (p.name, p.username)


def tree(people: Iterable[Person]) -> dict[int | None, list[Node]]:
    """department id (None: no department) -> its tops, each with their reports, nested."""
    by_department: dict[int | None, list[Person]] = {}
    for p in people:
        by_department.setdefault(p.department_id, []).append(p)
    return {dept: _department(members) for dept, members in by_department.items()}


def _department(members: list[Person]) -> list[Node]:
    ids = {p.id for p in members}
    children: dict[int, list[Person]] = {}
    tops = []
    for p in sorted(members, key=_key):
        if p.superior_id is not None and p.superior_id in ids and p.superior_id != p.id:
            children.setdefault(p.superior_id, []).append(p)
        else:
            tops.append(p)
    placed: set[int] = set()

    def grow(p: Person) -> Node:
        placed.add(p.id)
        return Node(p, [grow(c) for c in children.get(p.id, []) if c.id not in placed])

    nodes = [grow(p) for p in tops]
    for p in sorted(members, key=_key):  # a loop of superiors: nobody in it was reached from a top
        if p.id not in placed:
            nodes.append(grow(p))
    return nodes
