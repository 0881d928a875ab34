"""The org chart as nested lists (pure)."""

from __future__ import annotations

from portal.accounts.orgchart import Person, tree


def p(id, name, superior=None, dept=1):
    return Person(id, name, f"u{id}", "staff", dept, superior)


def shape(nodes):
    return [(n.person.name, shape(n.reports)) for n in nodes]


def test_people_sit_under_their_superior_within_a_department():
    people = [
        p(1, "经理"),
        p(2, "主管A", 1),
        p(3, "主管B", 1),
        p(4, "员工", 2),
        p(5, "领导", dept=2),
        p(6, "无部门", dept=None),
    ]
    chart = tree(people)
    assert shape(chart[1]) == [("经理", [("主管A", [("员工", [])]), ("主管B", [])])]
    assert shape(chart[2]) == [("领导", [])] and shape(chart[None]) == [("无部门", [])]
    assert chart[1][0].size == 4


def test_a_superior_in_another_department_puts_one_at_the_top():
    chart = tree([p(1, "领导", dept=2), p(2, "经理", 1, dept=1), p(3, "员工", 2, dept=1)])
    assert shape(chart[1]) == [("经理", [("员工", [])])]


def test_a_loop_hides_nobody():
    chart = tree([p(1, "甲", 2), p(2, "乙", 1), p(3, "丙", 3)])
    names = []

    def walk(nodes):
        for n in nodes:
            names.append(n.person.name)
            walk(n.reports)

    walk(chart[1])
    assert sorted(names) == ["丙", "乙", "甲"]
