"""Trainer reports (trainers and administrators): results by level and department, the questions
trainees miss most, the practical tasks waiting for a review and who holds which certificate,
on one page and as an Excel workbook (one sheet per section, Chinese headers, streamed in
openpyxl's write-only mode). The numbers come from portal/quiz/reports.py."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request, send_file
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.audit import services as audit
from portal.auth.models import Department
from portal.core.clock import utcnow
from portal.extensions import db
from portal.quiz import bank, reports
from portal.quiz.labels import certificate_state_label, level_label
from portal.quiz.views import bp
from portal.web import charts
from portal.web.access import roles_required
from portal.web.request import display_zone, local_midnight_utc, parse_day

QUESTIONS_ON_PAGE = 20
HOLDERS_ON_PAGE = 200
STEM_ON_PAGE = 60
MAX_YEARS_BACK = 20
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the filter form -----------------------------------------------------------------------


def _to_local(t: datetime | None, tz: ZoneInfo) -> datetime | None:
    return t.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None) if t else None


def parse_filters(args, now: datetime, tz: ZoneInfo, departments: dict[int, str]) -> tuple[reports.Filters, dict]:
    """The query string as report filters, and the values to show back in the form. Anything
    unreadable falls back to the default (all levels, all departments, the last 12 months)."""
    today = _to_local(now, tz).date()
    level = args.get("level") if args.get("level") in reports.LEVELS else None
    department_id = args.get("department", type=int)
    if department_id not in departments:
        department_id = None
    start = (
        parse_day(args.get("from"))
        or reports.months_before(datetime.combine(today, time(0)), reports.DEFAULT_MONTHS).date()
    )
    end = parse_day(args.get("to")) or today
    if start > end:
        start, end = end, start
    start = max(start, date(today.year - MAX_YEARS_BACK, 1, 1))
    filters = reports.Filters(
        since=local_midnight_utc(start, tz),
        until=local_midnight_utc(end + timedelta(days=1), tz),
        level=level,
        department_id=department_id,
    )
    form = {"level": level or "", "department": department_id, "from": start.isoformat(), "to": end.isoformat()}
    return filters, form


def _query_args(form: dict) -> dict:
    return {k: v for k, v in form.items() if v not in ("", None)}


def _departments() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name).order_by(Department.name)).all())


# --- formatting ----------------------------------------------------------------------------


def share_text(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%")


def score_text(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value, 1), format="#,##0.#") + "%"


def points_text(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value, 2), format="#,##0.##")


def department_name(row: reports.ResultRow) -> str:
    return row.name if row.key is not None else _("No department")


def _figures(report: reports.Report) -> dict:
    rate = _("Pass rate")
    return {
        "level": charts.bar_chart(
            "chart-quiz-level",
            _("Pass rate by level"),
            [charts.Bar(level_label(r.key), r.pass_rate, share_text(r.pass_rate)) for r in report.by_level],
            max_value=1.0,
            tone="ok",
            label_header=_("Level"),
            value_header=rate,
            empty_text=_("No data"),
        ),
        "department": charts.bar_chart(
            "chart-quiz-department",
            _("Pass rate by department"),
            [charts.Bar(department_name(r), r.pass_rate, share_text(r.pass_rate)) for r in report.by_department],
            max_value=1.0,
            tone="ok",
            label_header=_("Department"),
            value_header=rate,
            empty_text=_("No data"),
        ),
    }


# --- the page ------------------------------------------------------------------------------


@bp.get("/reports", endpoint="reports")
@roles_required("trainer")
def reports_page():
    tz = display_zone()
    now = utcnow()
    departments = _departments()
    filters, form = parse_filters(request.args, now, tz, departments)
    narrowed = form != parse_filters(MultiDict(), now, tz, departments)[1]
    report = reports.build(filters, now)
    return render_template(
        "quiz/reports.html",
        report=report,
        form=form,
        args=_query_args(form),
        narrowed=narrowed,
        departments=departments,
        levels=reports.LEVELS,
        figures=_figures(report) if report.total.attempts else None,
        questions=report.questions[:QUESTIONS_ON_PAGE],
        questions_on_page=QUESTIONS_ON_PAGE,
        holders=report.holders[:HOLDERS_ON_PAGE],
        holders_on_page=HOLDERS_ON_PAGE,
        expiring_days=reports.EXPIRING_DAYS,
        stem_on_page=STEM_ON_PAGE,
        share_text=share_text,
        score_text=score_text,
        points_text=points_text,
        state_label=certificate_state_label,
        department_name=department_name,
    )


# --- the workbook --------------------------------------------------------------------------

CN_STATES = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "revoked": "已吊销"}
RESULT_HEADERS = ("参加人数", "提交次数", "通过", "未通过", "待评阅", "通过率", "平均分")
SHEETS = ("按级别", "按部门", "按题目", "待评阅", "证书持有人", "即将到期", "筛选条件")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


class _Sheet:
    """A write-only sheet: a bold header row, then rows of values (text is never a formula)."""

    def __init__(self, workbook: Workbook, title: str, headers: tuple[str, ...], widths: tuple[int, ...] = ()):
        self.sheet = workbook.create_sheet(title)
        self.sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        cells = []
        for title_ in headers:
            cell = self.cell(title_)
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)

    def cell(self, value, number_format: str | None = None) -> WriteOnlyCell:
        if isinstance(value, float) and value != value:  # NaN never reaches Excel
            value = None
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        if number_format and value is not None:
            cell.number_format = number_format
        return cell

    def row(self, *values) -> None:
        """Values, or (value, number_format) pairs."""
        self.sheet.append([self.cell(*v) if isinstance(v, tuple) else self.cell(v) for v in values])


def _result_cells(r: reports.ResultRow) -> tuple:
    return (
        r.trainees,
        r.attempts,
        r.passed,
        r.failed,
        r.pending,
        (r.pass_rate, "0.0%"),
        (round(r.avg_score, 2) if r.avg_score is not None else None, "0.0"),
    )


def write_workbook(report: reports.Report, out, *, tz: ZoneInfo, departments: dict[int, str], now: datetime) -> None:
    workbook = Workbook(write_only=True)
    level_cn = bank.LEVEL_LABELS

    sheet = _Sheet(workbook, SHEETS[0], ("级别", *RESULT_HEADERS), (10, 10, 10, 8, 8, 8, 10, 10))
    for r in report.by_level:
        sheet.row(level_cn.get(r.key, r.key), *_result_cells(r))
    sheet.row("合计", *_result_cells(report.total))

    sheet = _Sheet(workbook, SHEETS[1], ("部门", *RESULT_HEADERS), (24, 10, 10, 8, 8, 8, 10, 10))
    for r in report.by_department:
        sheet.row(r.name if r.key is not None else "（无部门）", *_result_cells(r))

    sheet = _Sheet(
        workbook,
        SHEETS[2],
        (
            "题目ID",
            "编号",
            "级别",
            "题型",
            "题干",
            "作答次数",
            "全对次数",
            "答错次数",
            "错误率",
            "平均得分",
            "分值",
            "启用",
        ),
        (8, 14, 8, 8, 60, 10, 10, 10, 10, 10, 8, 6),
    )
    for q in report.questions:
        sheet.row(
            q.question_id,
            q.external_id,
            level_cn.get(q.level, q.level),
            bank.KIND_LABELS.get(q.kind, q.kind),
            q.stem,
            q.asked,
            q.fully_right,
            q.missed,
            (q.missed_share, "0.0%"),
            (round(q.avg_points, 2) if q.avg_points is not None else None, "0.00"),
            (round(q.max_points, 2) if q.max_points is not None else None, "0.##"),
            "是" if q.active else "否",
        )

    sheet = _Sheet(
        workbook, SHEETS[3], ("提交编号", "学员", "部门", "级别", "提交时间", "已等待天数"), (10, 14, 20, 8, 18, 12)
    )
    for p in report.pending:
        sheet.row(
            p.attempt_id,
            p.user_name,
            p.department,
            level_cn.get(p.level, p.level),
            (_to_local(p.submitted_at, tz), DATETIME_FORMAT),
            p.waiting_days,
        )

    holder_headers = ("姓名", "账号", "部门", "级别", "证书编号", "成绩", "发证日期", "有效期至", "剩余天数", "状态")
    holder_widths = (14, 14, 20, 8, 20, 8, 12, 12, 10, 10)
    for title, rows in ((SHEETS[4], report.holders), (SHEETS[5], report.expiring)):
        sheet = _Sheet(workbook, title, holder_headers, holder_widths)
        for h in rows:
            sheet.row(
                h.user_name,
                h.username,
                h.department,
                level_cn.get(h.level, h.level),
                h.code,
                (float(h.score), "0.0"),
                (_to_local(h.issued_at, tz), DATE_FORMAT),
                (_to_local(h.expires_at, tz), DATE_FORMAT),
                h.days_left,
                CN_STATES.get(h.state, h.state),
            )

    f = report.filters
    sheet = _Sheet(workbook, SHEETS[6], ("条件", "值"), (16, 40))
    sheet.row("级别", level_cn.get(f.level, f.level) if f.level else "全部")
    sheet.row("部门", departments.get(f.department_id, "") if f.department_id is not None else "全部")
    sheet.row("考试开始日期自", (_to_local(f.since, tz).date() if f.since else None, DATE_FORMAT))
    sheet.row("考试开始日期至", ((_to_local(f.until, tz) - timedelta(days=1)).date() if f.until else None, DATE_FORMAT))
    sheet.row("即将到期", f"{reports.EXPIRING_DAYS} 天内")
    sheet.row("导出时间", (_to_local(now, tz), DATETIME_FORMAT))
    sheet.row(
        "说明",
        "结果按考试开始日期统计，不含进行中的考试；通过率 = 通过 /（通过 + 未通过），"
        "超时被拒的提交计为未通过；证书与待评阅不受日期限制。",
    )
    workbook.save(out)


@bp.get("/reports/export.xlsx", endpoint="export_report")
@roles_required("trainer")
def export_report():
    tz = display_zone()
    now = utcnow()
    departments = _departments()
    filters, form = parse_filters(request.args, now, tz, departments)
    report = reports.build(filters, now)
    out = io.BytesIO()
    write_workbook(report, out, tz=tz, departments=departments, now=now)
    out.seek(0)
    shown = {k: v for k, v in form.items() if v}
    audit.record_now(
        "export", actor=current_user, target="quiz:report", detail={"what": "quiz report", "filters": shown}
    )
    name = f"quiz-report-{_to_local(now, tz):%Y%m%d}.xlsx"
    response = send_file(out, mimetype=XLSX_MIME, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
