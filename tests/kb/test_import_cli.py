import json

from openpyxl import Workbook


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)


def api_ids(client, q):
    return [r["external_id"] for r in client.get("/api/v1/search", query_string={"q": q}).get_json()["results"]]


def test_jsonl_import_upserts_and_is_searchable_on_exit(runner, client, tmp_path):
    f = write_jsonl(
        tmp_path / "kb.jsonl",
        [
            {"external_id": "x-1", "title": "电子签章无法加盖", "body": "检查**签章**证书", "category": "签章问题"},
            {"external_id": "x-2", "title": "公文套红模板缺失", "body": "", "category": ""},
        ],
    )
    result = runner.invoke(args=["import-kb", f])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged" in result.output
    assert api_ids(client, "电子签章")[0] == "x-1" and api_ids(client, "套红模板")[0] == "x-2"
    categories = client.get("/api/v1/search", query_string={"q": "套红模板"}).get_json()["results"][0]["category"]
    assert categories == "未分类"

    write_jsonl(
        tmp_path / "kb.jsonl",
        [
            {"external_id": "x-1", "title": "电子印章无法加盖", "body": "", "category": "签章问题"},
            {"external_id": "x-2", "title": "公文套红模板缺失", "body": "", "category": ""},
        ],
    )
    result = runner.invoke(args=["import-kb", f])
    assert "0 created, 1 updated, 1 unchanged" in result.output
    assert api_ids(client, "电子印章")[0] == "x-1"


def test_bad_rows_reject_the_whole_file_and_name_each_line(runner, client, tmp_path):
    f = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"external_id": "ok-1", "title": "报销审批退回原因查询"},
            {"external_id": "", "title": "没有编号"},
            {"external_id": "ok-3", "title": "t", "kind": "video"},
        ],
    )
    result = runner.invoke(args=["import-kb", f])
    assert result.exit_code == 1
    assert "bad.jsonl:2: external_id is empty" in result.output
    assert "bad.jsonl:3: kind 'video'" in result.output
    assert "nothing imported" in result.output
    assert "ok-1" not in api_ids(client, "报销审批退回原因")

    result = runner.invoke(args=["import-kb", f, "--skip-bad"])
    assert result.exit_code == 0 and "1 created" in result.output and "2 skipped" in result.output
    assert "ok-1" in api_ids(client, "报销审批退回原因")


def test_csv_and_xlsx_imports(runner, client, tmp_path):
    csv_file = tmp_path / "kb.csv"
    csv_file.write_text("external_id,title,body,category,kind\nc-1,考勤补卡申请入口,,操作指南,\n", encoding="utf-8")
    assert runner.invoke(args=["import-kb", str(csv_file)]).exit_code == 0
    wb = Workbook()
    wb.active.append(["external_id", "title", "body", "category", "kind"])
    wb.active.append(["s-1", "年度预算编制第一章", "## 1.1 概述\n\n内容", "预算", "manual"])
    wb.save(tmp_path / "kb.xlsx")
    assert runner.invoke(args=["import-kb", str(tmp_path / "kb.xlsx")]).exit_code == 0
    assert "c-1" in api_ids(client, "考勤补卡申请入口")[:3]
    hit = client.get("/api/v1/search", query_string={"q": "预算编制"}).get_json()["results"][0]
    assert hit["external_id"] == "s-1" and hit["kind"] == "manual"


def test_unreadable_file_is_a_clear_error(runner, tmp_path):
    (tmp_path / "kb.pdf").write_bytes(b"%PDF")
    result = runner.invoke(args=["import-kb", str(tmp_path / "kb.pdf")])
    assert result.exit_code != 0 and "unsupported file type" in result.output
