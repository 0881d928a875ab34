import io
import json

import pytest
from openpyxl import Workbook

from portal.kb import importer


def jsonl(*rows) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


def test_jsonl_defaults_kind_and_files_empty_category_as_uncategorized():
    records, bad = importer.parse(
        "kb.jsonl", jsonl({"external_id": "a1", "title": "忘记密码", "body": "", "category": ""})
    )
    assert bad == []
    assert records[0].kind == "faq" and records[0].category == "未分类" and records[0].body == ""


def test_bad_rows_are_named_by_line():
    data = (
        jsonl(
            {"external_id": "a1", "title": "ok"},
            {"external_id": "", "title": "no id"},
            {"external_id": "a3", "title": "t", "kind": "blog"},
        )
        + b"\n{not json\n"
    )
    records, bad = importer.parse("kb.jsonl", data)
    assert [r.external_id for r in records] == ["a1"]
    assert [(b.line, b.reason.split()[0]) for b in bad] == [(2, "external_id"), (3, "kind"), (4, "not")]


def test_repeated_external_id_is_a_bad_row():
    records, bad = importer.parse(
        "kb.jsonl", jsonl({"external_id": "a", "title": "1"}, {"external_id": "a", "title": "2"})
    )
    assert len(records) == 1 and bad[0].line == 2 and "repeats line 1" in bad[0].reason


def test_csv_utf8_bom_and_gbk_both_read():
    text = "external_id,title,body,category,kind\nc1,报销单无法提交,正文,操作指南,faq\n"
    for data in (("\ufeff" + text).encode("utf-8"), text.encode("gb18030")):
        records, bad = importer.parse("kb.csv", data)
        assert bad == [] and records[0].title == "报销单无法提交" and records[0].category == "操作指南"


def test_csv_line_numbers_count_the_header_and_multiline_cells():
    data = b'external_id,title,body\nc1,t,"line one\nline two"\n,missing id,\n'
    records, bad = importer.parse("kb.csv", data)
    assert records[0].body == "line one\nline two"
    assert bad[0].line == 4


def test_xlsx_rows():
    wb = Workbook()
    ws = wb.active
    ws.append(["external_id", "title", "body", "category", "kind"])
    ws.append(["x1", "手册第一章", "内容", "操作指南", "manual"])
    ws.append([None, None, None, None, None])
    ws.append([42, "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    records, bad = importer.parse("kb.xlsx", buf.getvalue())
    assert records[0].kind == "manual"
    assert bad[0].line == 4 and "title is empty" in bad[0].reason


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("kb.txt", b"x", "unsupported"),
        ("kb.csv", b"", "empty"),
        ("kb.csv", b"id,name\n1,2\n", "header lacks"),
        ("kb.xlsx", b"not a zip", "xlsx"),
        ("kb.jsonl", b"\xff\xfe\x00bad", "neither UTF-8"),
    ],
)
def test_unreadable_files_raise_a_clear_error(name, data, message):
    with pytest.raises(importer.ImportFileError, match=message):
        importer.parse(name, data)
