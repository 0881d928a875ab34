"""The question bank as an Excel workbook, for trainers who write questions in Excel.

One row per question under a header row of Chinese column names (English aliases accepted on
import): 编号 级别 题型 标签 题干 选项A…选项H 答案 分值 解析 评分标准 允许上传 关联文章 手册版本 启用.
Cells hold what a trainer types: 初级 / 单选, answers "A,C" or 对/错, one rubric criterion per line
as "text:points", 是/否, article external ids (or ids) separated by commas.

Export streams the rows (openpyxl write-only mode; text is always written as text, so a stem
starting with "=" never becomes a formula). Import is all-or-nothing, one unit of work: any bad
row (reported as "Row N: reason", N as Excel numbers the row) rejects the file unless
``skip_bad``; a row whose 编号 exists updates that question, any other row creates one.
Questions are stored through the same steps as the form's (questions.py).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import InvalidInput
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.kb.models import Article
from portal.quiz import bank, questions
from portal.quiz.models import Question

SHEET = "题库"
MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
HEADER_SCAN = 10  # the header may sit below a title row or two

# (raw field, the Chinese header written on export, English aliases accepted on import)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("external_id", "编号", ("external_id", "external id", "id", "no", "number")),
    ("level", "级别", ("level",)),
    ("kind", "题型", ("kind", "type")),
    ("tags", "标签", ("tags", "tag")),
    ("stem", "题干", ("stem", "question")),
    *((f"option_{k}", f"选项{k}", (f"option {k}", f"option_{k}", f"option{k}", k)) for k in bank.OPTION_KEYS),
    ("answer", "答案", ("answer", "correct")),
    ("points", "分值", ("points", "score")),
    ("explanation", "解析", ("explanation",)),
    ("rubric", "评分标准", ("rubric",)),
    ("allow_upload", "允许上传", ("allow_upload", "allow upload", "upload")),
    ("articles", "关联文章", ("articles", "article_ids", "article ids", "links")),
    ("edition", "手册版本", ("edition", "manual edition")),
    ("active", "启用", ("active", "enabled")),
)
REQUIRED = ("kind", "level", "stem")
HEADER_OF = {name: header for name, header, _aliases in COLUMNS}
WIDTHS = {"stem": 50, "explanation": 40, "rubric": 36, "tags": 16, "articles": 24, "external_id": 14}


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read (not .xlsx, no header row, too many rows …)."""

    def __init__(self, message: str):
        super().__init__({"file": message})


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)  # "Row N: reason", in row order
    written: bool = False  # False: nothing was stored

    @property
    def skipped(self) -> int:
        return len(self.errors) if self.written else 0


def _fold_header(value) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip().lower()
    return re.sub(r"[\s*＊]+", " ", text).strip().rstrip("*").strip()


HEADER_WORDS = {_fold_header(word): name for name, header, aliases in COLUMNS for word in (header, *aliases)}


def row_message(line: int, reason: str) -> str:
    return _("Row %(row)d: %(reason)s", row=line, reason=reason)


# --- export ----------------------------------------------------------------------------------


def _cell(sheet, value, *, wrap: bool = False):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def row_values(q: Question, external_ids: dict[int, str]) -> dict[str, object]:
    """One question as the cells a trainer would type."""
    keys = {o["key"]: o["text"] for o in q.options or []}
    return {
        "external_id": q.external_id or "",
        "level": bank.LEVEL_LABELS.get(q.level, q.level),
        "kind": bank.KIND_LABELS.get(q.kind, q.kind),
        "tags": ",".join(q.tags or []),
        "stem": q.stem,
        **{f"option_{k}": keys.get(k, "") for k in bank.OPTION_KEYS},
        "answer": bank.answer_text(q.kind, q.answer),
        "points": q.points,
        "explanation": q.explanation or "",
        "rubric": bank.rubric_text(q.rubric),
        "allow_upload": "是" if q.allow_upload else "否",
        "articles": ",".join(external_ids.get(a, str(a)) for a in q.article_ids or []),
        "edition": q.edition or "",
        "active": "是" if q.active else "否",
    }


def write_workbook(questions: Iterable[Question], external_ids: dict[int, str], out) -> None:
    """Write the questions to the binary file `out`, one row each, streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    for index, (name, _header, _aliases) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 12)
    bold = Font(bold=True)
    header = []
    for _name, title, _aliases in COLUMNS:
        cell = _cell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for q in questions:
        values = row_values(q, external_ids)
        sheet.append(
            [
                _cell(sheet, values[name], wrap=name in ("stem", "rubric", "explanation"))
                for name, _header, _aliases in COLUMNS
            ]
        )
    workbook.save(out)


def export_questions(stmt: Select) -> bytes:
    """The questions `stmt` selects (ordered by id), as .xlsx bytes."""
    external_ids = dict(
        db.session.execute(select(Article.id, Article.external_id).where(Article.external_id.is_not(None))).all()
    )
    questions = db.session.scalars(stmt.order_by(Question.id).execution_options(yield_per=500))
    out = io.BytesIO()
    write_workbook(questions, external_ids, out)
    return out.getvalue()


# --- reading ---------------------------------------------------------------------------------


def _header(row) -> dict[int, str] | None:
    found = {}
    for index, value in enumerate(row):
        name = HEADER_WORDS.get(_fold_header(value))
        if name and name not in found.values():
            found[index] = name
    return found if all(r in found.values() for r in REQUIRED) else None


def read_rows(data: bytes) -> Iterator[tuple[int, dict]]:
    """(Excel row number, raw values by field) for each non-empty row under the header row."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(n)d MB.", n=MAX_BYTES // (1024 * 1024)))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(_("This is not a readable Excel workbook (.xlsx).")) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        columns, count = None, 0
        for line, row in enumerate(rows, start=1):
            if columns is None:
                columns = _header(row)
                if columns is None and line >= HEADER_SCAN:
                    break
                continue
            if not any(v is not None and str(v).strip() for v in row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(n)d questions; split it.", n=MAX_ROWS))
            yield line, {name: row[i] for i, name in columns.items() if i < len(row)}
        if columns is None:
            raise ImportFileError(
                _(
                    "No header row found: the first sheet needs the columns %(names)s.",
                    names=", ".join(HEADER_OF[r] for r in REQUIRED),
                )
            )
    finally:
        workbook.close()


def _reason(errors: dict[str, str]) -> str:
    column = {**HEADER_OF, "options": "选项", "article_refs": HEADER_OF["articles"]}
    return "; ".join(f"{column.get(name, name)}: {message}" for name, message in errors.items())


def import_questions(data: bytes, user: User | None, *, skip_bad: bool = False) -> ImportResult:
    """Read, check every row, then store all of them (or, with skip_bad, the good ones) in one unit
    of work: nothing is stored unless all of that is. ImportFileError when the file cannot be read."""
    cleaned: list[tuple[int, dict]] = []
    bad: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, raw in read_rows(data):
        values, errors = bank.clean_question(raw)
        number = values.get("external_id")
        if number and number in seen and "external_id" not in errors:
            errors["external_id"] = _("Number %(value)s repeats row %(row)d.", value=number, row=seen[number])
        if errors:
            bad.append((line, _reason(errors)))
            continue
        if number:
            seen[number] = line
        cleaned.append((line, values))
    if not cleaned and not bad:
        raise ImportFileError(_("The file has a header row but no questions."))

    by_external, ids = questions.find_articles(r for _line, v in cleaned for r in v["article_refs"])
    ready: list[tuple[dict, list[int]]] = []
    for line, values in cleaned:
        article_ids, missing = bank.resolve_refs(values["article_refs"], by_external, ids)
        if missing:
            bad.append((line, _reason({"articles": questions.unknown_articles(missing)})))
        else:
            ready.append((values, article_ids))
    result = ImportResult(errors=[row_message(line, reason) for line, reason in sorted(bad)])
    if bad and not skip_bad:
        return result

    with unit_of_work():
        existing = (
            {q.external_id: q for q in db.session.scalars(select(Question).where(Question.external_id.in_(list(seen))))}
            if seen
            else {}
        )
        now, unnumbered = utcnow(), []
        for values, article_ids in ready:
            q = existing.get(values["external_id"])
            if q is None:
                q = Question(created_by_id=user.id if user else None, created_at=now)
                db.session.add(q)
                result.created += 1
            else:
                result.updated += 1
            bank.apply(q, values, article_ids)
            q.updated_at = now
            if not q.external_id:
                unnumbered.append(q)
        for q in unnumbered:
            questions.give_number(q)
    result.written = True
    return result
