"""Parsing knowledge-base import files (pure): JSONL, CSV and XLSX rows to validated records.

Every bad row is reported with its line (or sheet row) number; the caller decides whether a
file with bad rows is rejected whole or imported without them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import PurePath

from portal.kb import rules
from portal.kb.rules import UNCATEGORIZED

COLUMNS = ("external_id", "title", "body", "category", "kind")
FORMATS = ("jsonl", "csv", "xlsx")


@dataclass(frozen=True)
class Record:
    line: int
    external_id: str
    title: str
    body: str
    category: str
    kind: str


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


class ImportFileError(ValueError):
    """The file as a whole cannot be read (unknown format, not UTF-8/GB18030, no header…)."""


def detect_format(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise ImportFileError(f"unsupported file type .{suffix or '?'}: use .jsonl, .csv or .xlsx")


def parse(filename: str, data: bytes) -> tuple[list[Record], list[BadRow]]:
    fmt = detect_format(filename)
    raw_rows = {"jsonl": _jsonl_rows, "csv": _csv_rows, "xlsx": _xlsx_rows}[fmt](data)
    records: list[Record] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    for line, row in raw_rows:
        if isinstance(row, str):  # a row that could not even be read
            bad.append(BadRow(line, row))
            continue
        result = validate(line, row)
        if isinstance(result, BadRow):
            bad.append(result)
        elif result.external_id in seen:
            bad.append(BadRow(line, f"external_id {result.external_id!r} repeats line {seen[result.external_id]}"))
        else:
            seen[result.external_id] = line
            records.append(result)
    return records, bad


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def validate(line: int, row: dict) -> Record | BadRow:
    external_id = _text(row.get("external_id"))
    title = _text(row.get("title"))
    body = "" if row.get("body") is None else str(row.get("body"))
    category = _text(row.get("category")) or UNCATEGORIZED
    kind = _text(row.get("kind")).lower() or "faq"
    problems = []
    if not external_id:
        problems.append("external_id is empty")
    elif len(external_id) > rules.EXTERNAL_ID_MAX:
        problems.append(f"external_id longer than {rules.EXTERNAL_ID_MAX} characters")
    if not title:
        problems.append("title is empty")
    elif len(title) > rules.TITLE_MAX:
        problems.append(f"title longer than {rules.TITLE_MAX} characters")
    if len(body) > rules.BODY_MAX:
        problems.append(f"body longer than {rules.BODY_MAX} characters")
    if len(category) > rules.CATEGORY_MAX:
        problems.append(f"category longer than {rules.CATEGORY_MAX} characters")
    if kind not in rules.KINDS:
        problems.append(f"kind {kind!r} is not one of {', '.join(rules.KINDS)}")
    if problems:
        return BadRow(line, "; ".join(problems))
    return Record(line, external_id, title, body, category, kind)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK by default
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("the file is neither UTF-8 nor GB18030 text")


def _jsonl_rows(data: bytes):
    for line, text in enumerate(_decode(data).splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as err:
            yield line, f"not valid JSON ({err.msg})"
            continue
        yield line, row if isinstance(row, dict) else "not a JSON object"


def _csv_rows(data: bytes):
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = _header(next(reader, None))
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield line, f"{len(row)} columns, the header has {len(header)}"
            continue
        yield line, dict(zip(header, row))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"not a readable .xlsx workbook ({type(err).__name__})") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = _header(next(rows, None))
        for line, row in enumerate(rows, start=2):
            if not any(_text(c) for c in row):
                continue
            yield line, dict(zip(header, row))
    finally:
        workbook.close()


def _header(row) -> list[str]:
    if not row:
        raise ImportFileError("the file is empty (a header row is required)")
    header = [_text(c).lower() for c in row]
    missing = [c for c in ("external_id", "title") if c not in header]
    if missing:
        raise ImportFileError(f"header lacks column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    return header
