"""Reading an account list (pure): CSV in UTF-8 with or without BOM and in GBK, .xlsx, Chinese or
English headers in any order, and the reasons a file as a whole is refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from portal.accounts import sheet

CHINESE = "用户名,姓名,邮箱,部门,地区,职位,上级,角色\nzhangsan,张三,zs@example.cn,财务部,华东,员工,lisi,客服\n"


def workbook(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    read = sheet.read("hr.csv", CHINESE.encode(encoding))
    assert read.columns["username"] == "用户名"  # the BOM is not part of the first header
    assert read.rows == [
        (
            2,
            {
                "username": "zhangsan",
                "display_name": "张三",
                "email": "zs@example.cn",
                "department": "财务部",
                "region": "华东",
                "position": "员工",
                "superior": "lisi",
                "roles": "客服",
            },
        )
    ]


def test_english_headers_in_any_order_unknown_columns_named_blank_rows_skipped():
    data = "Remarks,E-mail,USERNAME,Display Name\nnew,a@b.cn,wang,王五\n,,,\n,c@d.cn,li,李四\n".encode()
    read = sheet.read("x.CSV", data)
    assert read.ignored == ["Remarks"]
    assert [(line, r["username"], r["email"]) for line, r in read.rows] == [(2, "wang", "a@b.cn"), (4, "li", "c@d.cn")]


def test_semicolon_and_tab_separated_exports():
    assert sheet.read("x.csv", "用户名;姓名\nwang;王五\n".encode()).rows[0][1]["display_name"] == "王五"
    assert sheet.read("x.csv", "用户名\t姓名\nwang\t王五\n".encode()).rows[0][1]["display_name"] == "王五"


def test_xlsx_under_a_title_row_numbers_as_text():
    data = workbook(
        [
            ["2027 年新员工"],
            ["工号", "姓名*", "部门"],
            [1024, "赵六", "IT"],
            [None, None, None],
            ["zhao7", "钱七", None],
        ]
    )
    read = sheet.read("new.xlsx", data)
    assert read.columns == {"username": "工号", "display_name": "姓名*", "department": "部门"}
    assert read.rows == [
        (3, {"username": "1024", "display_name": "赵六", "department": "IT"}),
        (5, {"username": "zhao7", "display_name": "钱七", "department": ""}),
    ]


@pytest.mark.parametrize(
    "filename,data,code",
    [
        ("hr.xls", b"x", "file_type"),
        ("hr", b"x", "file_type"),
        ("hr.csv", b"", "empty"),
        ("hr.csv", b"\xff\xfe\x00\xd8garbage\x81", "encoding"),
        ("hr.xlsx", b"not a zip", "xlsx"),
        ("hr.csv", "姓名,邮箱\n张三,a@b.cn\n".encode(), "no_header"),
        ("hr.csv", "用户名,姓名\n".encode(), "no_rows"),
    ],
)
def test_files_that_cannot_be_read(filename, data, code):
    with pytest.raises(sheet.SheetError) as caught:
        sheet.read(filename, data)
    assert caught.value.code == code


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(sheet, "MAX_ROWS", 3)
    data = ("用户名\n" + "".join(f"u{i}\n" for i in range(4))).encode()
    with pytest.raises(sheet.SheetError) as caught:
        sheet.read("hr.csv", data)
    assert caught.value.code == "too_many" and caught.value.params == {"n": 3}


def test_the_templates_read_back_as_their_example_rows():
    for name, data in (("t.xlsx", sheet.template_xlsx()), ("t.csv", sheet.template_csv())):
        read = sheet.read(name, data)
        assert set(read.columns) == set(sheet.FIELDS)
        assert [r["username"] for _line, r in read.rows] == ["zhangsan", "lisi"]
    assert sheet.template_csv().startswith(b"\xef\xbb\xbf")
