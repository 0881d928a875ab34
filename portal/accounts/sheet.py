"""Reading an HR system's account list (pure): .xlsx or .csv bytes to rows of text by column.

A CSV is UTF-8 (with or without the byte-order mark Excel writes) or GBK/GB18030 (what Excel and
HR systems in China save by default). The header row names the columns in Chinese or English
(用户名/username, 姓名/display_name …), in any order; columns the import does not know are
ignored and named. Every cell becomes stripped text; Excel's numbers come back without ".0".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
HEADER_SCAN = 5  # the header may sit below a title row or two
FORMATS = ("xlsx", "csv")

# (field, the header the template writes, other names accepted)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("username", "用户名", ("username", "user name", "login", "账号", "帐号", "工号")),
    ("display_name", "姓名", ("display_name", "display name", "name", "full name", "名字")),
    ("email", "邮箱", ("email", "e-mail", "mail", "电子邮件", "电子邮箱", "邮件")),
    ("department", "部门", ("department", "dept", "department code", "部门编码")),
    ("region", "地区", ("region", "area", "区域", "地区编码")),
    ("position", "职位", ("position", "post", "岗位", "职务")),
    ("superior", "上级", ("superior", "manager", "supervisor", "直属上级", "上级用户名")),
    ("roles", "角色", ("roles", "role", "权限")),
    ("password", "初始密码", ("password", "initial password", "密码")),
)
FIELDS = tuple(name for name, _header, _aliases in COLUMNS)
HEADER_OF = {name: header for name, header, _aliases in COLUMNS}
REQUIRED = ("username",)


def fold(value: object) -> str:
    """A header or a word as typed, compared: full-width to half-width, case, spaces, a trailing '*'."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip().lower()
    return re.sub(r"[\s*]+", " ", text).strip().rstrip("*").strip()


HEADER_WORDS = {fold(word): name for name, header, aliases in COLUMNS for word in (header, *aliases)}


class SheetError(ValueError):
    """The file as a whole cannot be read: `code` says why, `params` fill the message."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Sheet:
    columns: dict[str, str]  # field -> the header as written in the file
    rows: list[tuple[int, dict[str, str]]]  # (row number as Excel or an editor counts it, cells by field)
    ignored: list[str] = field(default_factory=list)  # headers the import does not know


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


def detect_format(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise SheetError("file_type", suffix=suffix or "?")
    return suffix


def read(filename: str, data: bytes) -> Sheet:
    fmt = detect_format(filename)
    if len(data) > MAX_BYTES:
        raise SheetError("too_large", mb=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise SheetError("empty")
    rows = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    return _sheet(rows)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("encoding")


def _csv_rows(data: bytes):
    content = decode(data)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content))
    try:
        for row in reader:
            yield reader.line_num, [text(c) for c in row]
    except csv.Error as err:
        raise SheetError("csv", line=reader.line_num, reason=str(err)) from None


def _delimiter(content: str) -> str:
    """Comma, unless the header line is plainly separated by tabs or semicolons (some exports)."""
    first = next((line for line in content.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetError("xlsx") from None
    try:
        for line, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield line, [text(c) for c in row]
    finally:
        workbook.close()


def _header(cells: list[str]) -> tuple[dict[int, str], dict[str, str], list[str]] | None:
    """(column index -> field, field -> header as written, unknown headers), or None: not a header."""
    at: dict[int, str] = {}
    written: dict[str, str] = {}
    ignored = []
    for index, cell in enumerate(cells):
        name = HEADER_WORDS.get(fold(cell))
        if name and name not in written:
            at[index], written[name] = name, cell
        elif cell:
            ignored.append(cell)
    if not all(r in written for r in REQUIRED):
        return None
    return at, written, ignored


def _sheet(rows) -> Sheet:
    header = None
    out: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows:
        if header is None:
            if any(cells):
                header = _header(cells)
                if header is None and line >= HEADER_SCAN:
                    break
            continue
        if not any(cells):
            continue
        if len(out) >= MAX_ROWS:
            raise SheetError("too_many", n=MAX_ROWS)
        at = header[0]
        out.append((line, {name: (cells[i] if i < len(cells) else "") for i, name in at.items()}))
    if header is None:
        raise SheetError("no_header", names=" / ".join(f"{HEADER_OF[r]} ({r})" for r in REQUIRED))
    if not out:
        raise SheetError("no_rows")
    return Sheet(columns=header[1], rows=out, ignored=header[2])


# --- the template offered for download -------------------------------------------------------

EXAMPLE_ROWS = (
    ("zhangsan", "张三", "zhangsan@example.com.cn", "finance", "east", "员工", "lisi", "员工", ""),
    ("lisi", "李四", "lisi@example.com.cn", "finance", "east", "业务主管", "", "员工、培训师", ""),
)


def template_xlsx() -> bytes:
    """An .xlsx with the header row and two example rows (text cells, so 工号 keep their zeros)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "用户"
    sheet.append([header for _name, header, _aliases in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
        for cell in column:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The same as CSV in UTF-8 with the byte-order mark, so Excel opens the Chinese correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([header for _name, header, _aliases in COLUMNS])
    writer.writerows(EXAMPLE_ROWS)
    return out.getvalue().encode("utf-8-sig")
