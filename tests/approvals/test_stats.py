"""Approval statistics with plain rows: averages, the time limit, months in local time; the SVG chart."""

from datetime import datetime, timedelta

import pytest

from portal.approvals import stats
from portal.approvals.stats import RequestRow, StepRow
from portal.web import charts

T0 = datetime(2026, 3, 2, 1, 0)  # naive UTC, a Monday 09:00 in Shanghai
NOW = datetime(2026, 3, 20, 4, 0)
H = timedelta(hours=1)


def req(template="expense", state="approved", hours=None, due_hours=24, dept=1, at=T0):
    return RequestRow(
        template,
        dept,
        state,
        at,
        at + hours * H if hours is not None else None,
        at + due_hours * H if due_hours is not None else None,
    )


def step(role="supervisor", state="approved", hours=None, due_hours=24, template="expense", dept=1, at=T0):
    return StepRow(
        template,
        role,
        at if state != "waiting" else None,
        at + hours * H if hours is not None else None,
        at + due_hours * H if due_hours is not None and state != "waiting" else None,
        state,
        dept,
        at,
    )


def test_average_hours_per_template_counts_only_finished_requests():
    rows = [
        req(hours=10),
        req(hours=20, state="rejected"),
        req(state="in_progress"),
        req(state="withdrawn", hours=1),
        req("leave", hours=5),
    ]
    assert stats.average_hours_by_template(rows) == {"expense": 15.0, "leave": 5.0}
    groups = {g.key: g for g in stats.requests_by(rows, "template", NOW)}
    assert groups["expense"].count == 4 and groups["expense"].finished == 2
    assert groups["expense"].avg_hours == pytest.approx(15.0)


def test_average_hours_per_step_role_uses_decided_steps():
    rows = [
        step("supervisor", hours=2),
        step("supervisor", "returned", hours=4),
        step("manager", hours=30),
        step("manager", "pending"),
        step("division_leader", "waiting"),
        step("division_leader", "skipped"),
    ]
    assert stats.average_hours_by_role(rows) == {"supervisor": 3.0, "manager": 30.0}
    groups = stats.steps_by(rows, "role", NOW, order=("supervisor", "manager", "division_leader"))
    assert [g.key for g in groups] == ["supervisor", "manager", "division_leader"]
    leader = groups[2]
    assert leader.count == 0 and leader.avg_hours is None and leader.over_share is None  # never reached
    manager = groups[1]
    assert manager.count == 2 and manager.timed == 2 and manager.over == 2 and manager.over_share == 1.0


def test_empty_input():
    assert stats.average_hours_by_template([]) == {}
    assert stats.average_hours_by_role([]) == {}
    assert stats.requests_by([], "month", NOW) == []
    assert stats.steps_by([], "department", NOW) == []
    assert stats.over_share([], NOW) is None
    (g,) = stats.requests_by([], "template", NOW, order=["expense"])
    assert (g.count, g.finished, g.avg_hours, g.timed, g.over, g.over_share) == (0, 0, None, 0, 0, None)


def test_exactly_at_the_due_time_is_not_over():
    assert stats.step_over(step(hours=24, due_hours=24), NOW) is False
    assert stats.step_over(step(hours=24.01, due_hours=24), NOW) is True
    assert stats.request_over(req(hours=24, due_hours=24), NOW) is False
    due = T0 + 24 * H
    assert stats.step_over(step("manager", "pending", due_hours=24), due) is False  # now == due
    assert stats.step_over(step("manager", "pending", due_hours=24), due + timedelta(seconds=1)) is True
    assert stats.request_over(req(state="in_progress"), due) is False
    assert stats.request_over(req(state="in_progress"), due + timedelta(seconds=1)) is True


def test_what_has_no_verdict_on_the_time_limit():
    assert stats.request_over(req(state="withdrawn", hours=100), NOW) is None
    assert stats.request_over(req(state="returned"), NOW) is None
    assert stats.request_over(req(hours=3, due_hours=None), NOW) is None
    assert stats.step_over(step(state="skipped"), NOW) is None
    assert stats.step_over(step(state="waiting"), NOW) is None
    rows = [step(hours=30), step(hours=10), step(state="pending"), step(state="skipped")]
    assert stats.over_share(rows, NOW) == pytest.approx(2 / 3)  # the pending one is long overdue
    assert stats.over_share(rows, T0 + H) == pytest.approx(1 / 3)  # ...but not an hour in


def test_month_is_taken_in_local_time():
    end_of_january_utc = datetime(2026, 1, 31, 15, 59, 59)  # 23:59:59 in Shanghai
    start_of_february = datetime(2026, 1, 31, 16, 0)  # 00:00 on 1 February in Shanghai
    assert stats.month_of(end_of_january_utc, "Asia/Shanghai") == "2026-01"
    assert stats.month_of(start_of_february, "Asia/Shanghai") == "2026-02"
    assert stats.month_of(start_of_february, "UTC") == "2026-01"
    rows = [req(at=end_of_january_utc, hours=1), req(at=start_of_february, hours=3)]
    groups = stats.requests_by(rows, "month", NOW, tz="Asia/Shanghai", order=["2026-01", "2026-02", "2026-03"])
    assert [(g.key, g.count, g.avg_hours) for g in groups] == [
        ("2026-01", 1, 1.0),
        ("2026-02", 1, 3.0),
        ("2026-03", 0, None),
    ]


def test_the_last_months_and_where_they_start():
    now = datetime(2026, 2, 28, 16, 30)  # 1 March 00:30 in Shanghai
    assert stats.last_months(now, 3, "Asia/Shanghai") == ["2026-01", "2026-02", "2026-03"]
    assert stats.last_months(datetime(2026, 1, 10), 3) == ["2025-11", "2025-12", "2026-01"]
    assert stats.months_start(now, 3, "Asia/Shanghai") == datetime(2025, 12, 31, 16, 0)


def test_departments_group_with_none_last():
    rows = [step(dept=None, hours=1), step(dept=2, hours=30), step(dept=1, hours=2)]
    assert [g.key for g in stats.steps_by(rows, "department", NOW)] == [1, 2, None]


def test_bar_chart_is_accessible_svg_that_scales():
    html = str(
        charts.bar_chart(
            "c1",
            "Average <duration>",
            [charts.Bar("费用报销", 12.5, "12.5 h"), charts.Bar("Leave & more", None)],
            label_header="Template",
            value_header="Hours",
        )
    )
    assert '<svg role="img" aria-labelledby="c1-title c1-desc" viewBox="0 0 320 ' in html
    assert 'width="100%"' in html
    assert '<title id="c1-title">Average &lt;duration&gt;</title>' in html
    assert "Leave &amp; more" in html and "12.5 h" in html and "—" in html
    assert '<div class="sr"><table>' in html and '<th scope="row">费用报销</th><td>12.5 h</td>' in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_bar_lengths_follow_the_values_and_the_scale():
    html = str(charts.bar_chart("c2", "Share", [charts.Bar("a", 0.5), charts.Bar("b", 0.0)], max_value=1.0))
    span = charts.WIDTH - 2 * charts.PAD - charts.VALUE_ROOM
    assert f'class="bar brand" x="{charts.PAD}"' in html
    assert f'width="{round(span * 0.5, 1)}"' in html and 'width="0.0"' in html
    assert "<svg" not in str(charts.bar_chart("c3", "Nothing", [], empty_text="No data"))
