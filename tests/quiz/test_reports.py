"""Trainer reports: results by level and department, most-missed questions, pending reviews,
certificate holders (expiring soon highlighted), who may see them, and the Excel export."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.auth.models import Department, User
from portal.auth.services import NewUser, create_user
from portal.core.clock import utcnow
from portal.extensions import db
from portal.quiz import report_views, reports
from portal.quiz.models import Attempt, AttemptItem, Certificate, Certification, Question
from tests.conftest import Auth

PASSWORD = "Demo@2026"


def _user(username: str, display: str, department: str | None, roles=("employee",)) -> User:
    return create_user(
        NewUser(username=username, password=PASSWORD, display_name=display, department=department, roles=list(roles)),
        check_strength=False,
    )


def _attempt(
    user: User,
    cert: Certification,
    number: int,
    state: str,
    started: datetime,
    score: str | None,
    items: list[tuple[Question, str | None]] = (),
) -> Attempt:
    """An attempt as the services would leave it; items are (question, points or None)."""
    finished = state in ("passed", "failed", "expired")
    a = Attempt(
        user=user,
        certification=cert,
        number=number,
        state=state,
        started_at=started,
        deadline=started + timedelta(minutes=30),
        submitted_at=started + timedelta(minutes=20) if state != "in_progress" else None,
        finished_at=started + timedelta(minutes=20) if finished else None,
        score=Decimal(score) if score is not None else None,
        passed=(state == "passed") if finished else None,
    )
    for position, (q, points) in enumerate(items):
        a.items.append(
            AttemptItem(
                position=position,
                question=q,
                max_points=Decimal(q.points),
                points=Decimal(points) if points is not None else None,
            )
        )
    db.session.add(a)
    return a


def _certificate(code: str, attempt: Attempt, days_left: float, *, revoked: bool = False) -> Certificate:
    now = utcnow()
    c = Certificate(
        code=code,
        user=attempt.user,
        level=attempt.certification.level,
        attempt=attempt,
        score=attempt.score or Decimal("80"),
        issued_at=now - timedelta(days=700 - days_left),
        expires_at=now + timedelta(days=days_left),
        revoked=revoked,
    )
    db.session.add(c)
    return c


@pytest.fixture
def data(app):
    """Two departments, four trainees, a trainer, a plain employee and an administrator."""
    now = utcnow()
    with app.app_context():
        cs = Department(code="cs", name="客服部")
        fin = Department(code="fin", name="财务部")
        db.session.add_all([cs, fin])
        db.session.commit()
        alice, bob = _user("alice", "Alice", "cs"), _user("bob", "Bob", "cs")
        carol, dave = _user("carol", "Carol", "fin"), _user("dave", "Dave", None)
        _user("trainer", "Trainer", None, ("employee", "trainer"))
        _user("boss", "Boss", None, ("employee", "admin"))
        _user("eve", "Eve", "cs")
        beginner = Certification(level="beginner", title="初级认证")
        intermediate = Certification(level="intermediate", title="中级认证")
        q1 = Question(
            kind="single",
            level="beginner",
            stem="单选题一：登录失败时先查什么？" + "很长的题干" * 20,
            options=[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}],
            answer=["A"],
            points=1,
            external_id="B-001",
        )
        q2 = Question(kind="true_false", level="beginner", stem="判断题二", answer=["true"], points=1)
        q3 = Question(
            kind="multiple",
            level="beginner",
            stem="多选题三",
            answer=["A", "B"],
            points=2,
            options=[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}, {"key": "C", "text": "c"}],
        )
        q4 = Question(
            kind="practical", level="intermediate", stem="实操题四", points=4, rubric=[{"criterion": "c", "points": 4}]
        )
        q6 = Question(
            kind="single",
            level="intermediate",
            stem="中级单选六",
            answer=["B"],
            points=1,
            options=[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}],
        )
        q5 = Question(kind="single", level="beginner", stem="从未出过的题", answer=["A"], points=1)
        db.session.add_all([beginner, intermediate, q1, q2, q3, q4, q5, q6])
        db.session.flush()
        day = timedelta(days=1)
        # in the default period (last 12 months)
        a1 = _attempt(alice, beginner, 2, "failed", now - 40 * day, "40", [(q1, "0"), (q2, "1"), (q3, "0")])
        a2 = _attempt(alice, beginner, 3, "passed", now - 30 * day, "100", [(q1, "1"), (q2, "1"), (q3, "2")])
        a3 = _attempt(bob, beginner, 2, "passed", now - 20 * day, "75", [(q1, "1"), (q2, "0"), (q3, "1")])
        _attempt(carol, beginner, 2, "expired", now - 10 * day, "0", [(q1, None), (q2, None), (q3, None)])
        _attempt(carol, intermediate, 1, "pending_review", now - 5 * day, None, [(q6, "1"), (q4, None)])
        _attempt(dave, beginner, 2, "in_progress", now - timedelta(minutes=5), None, [(q1, None), (q2, None)])
        # before the period
        _attempt(bob, beginner, 1, "failed", now - 400 * day, "20", [(q1, "0")])
        a8 = _attempt(carol, beginner, 1, "passed", now - 800 * day, "90")
        a9 = _attempt(dave, beginner, 1, "passed", now - 500 * day, "85")
        a10 = _attempt(alice, beginner, 1, "passed", now - 450 * day, "70")
        _certificate("QZ-AAAA-AAAA-AAAA", a2, 700)  # alice: valid
        _certificate("QZ-BBBB-BBBB-BBBB", a3, 10)  # bob: expires in 10 days
        _certificate("QZ-CCCC-CCCC-CCCC", a8, -5)  # carol: expired 5 days ago
        _certificate("QZ-DDDD-DDDD-DDDD", a9, 200, revoked=True)  # dave: revoked
        _certificate("QZ-EEEE-EEEE-EEEE", a10, 5)  # alice's old one: she re-certified
        db.session.commit()
        ids = {"q1": q1.id, "q2": q2.id, "q3": q3.id, "q6": q6.id, "cs": cs.id, "fin": fin.id, "a1": a1.id}
    return ids


def _build(app, **kw):
    with app.app_context():
        return reports.build(reports.Filters.default(**kw))


# -- the numbers ------------------------------------------------------------------------------


def test_results_by_level(app, data):
    report = _build(app)
    rows = {r.key: r for r in report.by_level}
    assert [r.key for r in report.by_level] == ["beginner", "intermediate", "advanced"]
    b = rows["beginner"]  # in progress and the attempt 400 days ago are not counted; expired counts as failed
    assert (b.attempts, b.passed, b.failed, b.pending, b.trainees) == (4, 2, 2, 0, 3)
    assert b.pass_rate == pytest.approx(0.5) and b.avg_score == pytest.approx(53.75)
    i = rows["intermediate"]
    assert (i.attempts, i.passed, i.failed, i.pending) == (1, 0, 0, 1)
    assert i.pass_rate is None and i.avg_score is None
    assert rows["advanced"].attempts == 0 and rows["advanced"].pass_rate is None
    t = report.total
    assert (t.attempts, t.passed, t.failed, t.pending, t.trainees) == (5, 2, 2, 1, 3)
    assert t.avg_score == pytest.approx(53.75)


def test_results_by_department(app, data):
    rows = _build(app).by_department
    assert [(r.key, r.name) for r in rows] == [(data["cs"], "客服部"), (data["fin"], "财务部")]
    cs, fin = rows
    assert (cs.attempts, cs.passed, cs.failed, cs.pending, cs.trainees) == (3, 2, 1, 0, 2)
    assert cs.avg_score == pytest.approx((40 + 100 + 75) / 3) and cs.pass_rate == pytest.approx(2 / 3)
    assert (fin.attempts, fin.passed, fin.failed, fin.pending, fin.pass_rate) == (2, 0, 1, 1, 0.0)


def test_most_missed_questions_first(app, data):
    rows = _build(app).questions
    # q4 (practical) is not marked yet, q5 was never asked
    assert [r.question_id for r in rows] == [data["q3"], data["q1"], data["q2"], data["q6"]]
    q3, q1 = rows[0], rows[1]
    assert (q3.asked, q3.fully_right, q3.missed) == (3, 1, 2) and q3.missed_share == pytest.approx(2 / 3)
    assert q3.avg_points == pytest.approx(1.0) and q3.max_points == pytest.approx(2.0)
    assert (q1.asked, q1.fully_right, q1.external_id) == (3, 2, "B-001")
    assert rows[-1].missed_share == 0


def test_filters_narrow_every_result_section(app, data):
    report = _build(app, level="intermediate")
    assert [r.key for r in report.by_level] == ["intermediate"]
    assert [r.question_id for r in report.questions] == [data["q6"]]
    assert [h.level for h in report.holders] == []
    report = _build(app, department_id=data["fin"])
    b = report.by_level[0]
    assert (b.attempts, b.failed, b.avg_score) == (1, 1, 0.0)
    assert report.pending_count == 1 and [h.user_name for h in report.holders] == ["Carol"]
    assert _build(app, department_id=data["cs"]).pending == []
    with app.app_context():  # a wider period takes in bob's first attempt
        wide = reports.build(reports.Filters(since=utcnow() - timedelta(days=420)))
    assert wide.by_level[0].attempts == 5
    assert next(r for r in wide.questions if r.question_id == data["q1"]).asked == 4


def test_pending_reviews(app, data):
    report = _build(app)
    assert report.pending_count == 1
    (p,) = report.pending
    assert (p.user_name, p.department, p.level, p.waiting_days) == ("Carol", "财务部", "intermediate", 4)
    with app.app_context():
        assert reports.pending_review_count() == 1
        assert reports.pending_review_count(reports.Filters(level="beginner")) == 0


def test_certificate_holders_and_expiring_soon(app, data):
    report = _build(app)
    got = [(h.user_name, h.code[3:7], h.state) for h in report.holders]
    assert got == [
        ("Alice", "AAAA", "valid"),
        ("Alice", "EEEE", "valid"),  # re-certified: nothing to do
        ("Bob", "BBBB", "expiring"),
        ("Carol", "CCCC", "expired"),
        ("Dave", "DDDD", "revoked"),
    ]
    assert [(h.user_name, h.days_left, h.department) for h in report.expiring] == [("Bob", 10, "客服部")]
    assert next(h for h in report.holders if h.user_name == "Carol").days_left == -5


def test_certificate_state_edges():
    now = datetime(2026, 6, 1, 12, 0)
    assert reports.certificate_state(now, False, now) == "expired"
    assert reports.certificate_state(now + timedelta(days=30), False, now) == "expiring"
    assert reports.certificate_state(now + timedelta(days=30, seconds=1), False, now) == "valid"
    assert reports.certificate_state(now + timedelta(days=3), True, now) == "revoked"


def test_months_before_keeps_the_day_where_it_can():
    assert reports.months_before(datetime(2026, 3, 31, 8), 1) == datetime(2026, 2, 28, 8)
    assert reports.months_before(datetime(2026, 5, 15), 12) == datetime(2025, 5, 15)
    assert reports.months_before(datetime(2025, 3, 29), 13) == datetime(2024, 2, 29)


def test_the_filter_form_falls_back_to_the_last_12_months(app):
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 6, 30, 20, 0)  # 04:00 on 1 July in Shanghai
    with app.app_context():
        f, form = report_views.parse_filters(
            MultiDict({"level": "x", "department": "9", "from": "bad"}), now, tz, {1: "客服部"}
        )
        assert (f.level, f.department_id, form["from"], form["to"]) == (None, None, "2025-07-01", "2026-07-01")
        assert f.since == datetime(2025, 6, 30, 16, 0) and f.until == datetime(2026, 7, 1, 16, 0)
        f, form = report_views.parse_filters(
            MultiDict({"level": "advanced", "department": "1", "from": "2026-05-31", "to": "2026-05-01"}),
            now,
            tz,
            {1: "客服部"},
        )
        assert (f.level, f.department_id, form["from"], form["to"]) == ("advanced", 1, "2026-05-01", "2026-05-31")


# -- the page ------------------------------------------------------------------------------


@pytest.fixture
def client(app):
    return app.test_client()


def test_page_is_for_trainers_and_admins(app, data, client):
    assert client.get("/quiz/reports").status_code in (302, 401)
    auth = Auth(client)
    auth.login("eve")
    assert client.get("/quiz/reports").status_code == 403
    assert client.get("/quiz/reports/export.xlsx").status_code == 403
    auth.logout()
    auth.login("boss")
    assert client.get("/quiz/reports").status_code == 200


def test_page_shows_every_section(app, data, client):
    Auth(client).login("trainer")
    resp = client.get("/quiz/reports")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for section in (
        "report-summary",
        "report-levels",
        "report-departments",
        "report-questions",
        "report-pending",
        "report-holders",
        "report-expiring",
        "chart-quiz-level",
    ):
        assert f'id="{section}"' in html, section
    assert "客服部" in html and "财务部" in html and "QZ-BBBB-BBBB-BBBB" in html
    assert 'class="holder-expiring row-warning"' in html
    assert "/quiz/reviews" in html and "export.xlsx" in html
    shown = re.search(r'lang="zh-CN">(单选题一[^<]*)</', html).group(1)  # the stem is cut (whole in its tooltip)
    assert shown.endswith("…") and len(shown) <= report_views.STEM_ON_PAGE
    if "quiz.edit_question" in app.view_functions:  # the question bank's edit page, once it exists
        with app.test_request_context():
            assert f'href="{url_for("quiz.edit_question", question_id=data["q3"])}"' in html
    # the most missed comes first
    questions = html.split('id="report-questions"')[1]
    assert questions.index(f"report-question-{data['q3']}") < questions.index(f"report-question-{data['q1']}")


def test_page_with_no_data_says_so(app, client):
    with app.app_context():
        _user("trainer", "Trainer", None, ("employee", "trainer"))
    Auth(client).login("trainer")
    resp = client.get("/quiz/reports?level=beginner&from=nonsense")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="report-empty"' in html and "chart-quiz-level" not in html and 'id="report-expiring"' not in html
    assert 'href="/quiz/reports"' in html  # back to the default period and all levels
    html = client.get("/quiz/reports").get_data(as_text=True)
    assert 'id="report-empty"' in html and 'href="/quiz/reports"' not in html  # nothing to widen


# -- the export ----------------------------------------------------------------------------


def _sheet_rows(wb, name):
    return [tuple(c for c in row) for row in wb[name].iter_rows(values_only=True)]


def test_export_opens_with_one_sheet_per_section(app, data, client):
    Auth(client).login("trainer")
    resp = client.get("/quiz/reports/export.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype == report_views.XLSX_MIME
    assert "attachment" in resp.headers["Content-Disposition"] and ".xlsx" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == list(report_views.SHEETS)

    levels = _sheet_rows(wb, "按级别")
    assert levels[0] == ("级别", "参加人数", "提交次数", "通过", "未通过", "待评阅", "通过率", "平均分")
    assert levels[1][:7] == ("初级", 3, 4, 2, 2, 0, 0.5) and levels[1][7] == pytest.approx(53.75)
    assert levels[2][:6] == ("中级", 1, 1, 0, 0, 1) and levels[2][6] is None
    assert levels[-1][:6] == ("合计", 3, 5, 2, 2, 1)
    assert wb["按级别"]["G2"].number_format == "0.0%"

    depts = _sheet_rows(wb, "按部门")
    assert [r[0] for r in depts[1:]] == ["客服部", "财务部"]

    questions = _sheet_rows(wb, "按题目")
    assert questions[0][:5] == ("题目ID", "编号", "级别", "题型", "题干")
    assert [r[0] for r in questions[1:]] == [data["q3"], data["q1"], data["q2"], data["q6"]]
    assert questions[1][2:4] == ("初级", "多选") and questions[1][5:8] == (3, 1, 2)
    assert questions[1][8] == pytest.approx(2 / 3)
    assert questions[2][4].startswith("单选题一") and questions[2][1] == "B-001"  # the whole stem

    pending = _sheet_rows(wb, "待评阅")
    assert len(pending) == 2 and pending[1][1:4] == ("Carol", "财务部", "中级")
    assert isinstance(pending[1][4], datetime)

    holders = _sheet_rows(wb, "证书持有人")
    assert holders[0][0] == "姓名" and len(holders) == 6
    assert [(r[0], r[9]) for r in holders[1:]] == [
        ("Alice", "有效"),
        ("Alice", "有效"),
        ("Bob", "即将到期"),
        ("Carol", "已过期"),
        ("Dave", "已吊销"),
    ]
    expiring = _sheet_rows(wb, "即将到期")
    assert [(r[0], r[4], r[8]) for r in expiring[1:]] == [("Bob", "QZ-BBBB-BBBB-BBBB", 10)]
    assert isinstance(expiring[1][7], datetime)


def test_export_follows_the_filters_and_never_writes_formulas(app, data, client):
    with app.app_context():
        db.session.get(Question, data["q3"]).stem = '=HYPERLINK("http://x")'
        db.session.commit()
    Auth(client).login("trainer")
    resp = client.get(f"/quiz/reports/export.xlsx?department={data['fin']}")
    wb = load_workbook(io.BytesIO(resp.data))
    assert [r[0] for r in _sheet_rows(wb, "按部门")[1:]] == ["财务部"]
    assert [r[0] for r in _sheet_rows(wb, "证书持有人")[1:]] == ["Carol"]
    assert _sheet_rows(wb, "即将到期")[1:] == []
    resp = client.get("/quiz/reports/export.xlsx")
    wb = load_workbook(io.BytesIO(resp.data))
    cell = wb["按题目"]["E2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    with app.app_context():  # each export is in the audit trail, with its filters
        from portal.audit.models import AuditEvent

        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [(e.actor_name, e.target) for e in events] == [("trainer", "quiz:report")] * 2
        assert f'"department":{data["fin"]},' in events[0].detail
