"""The search travels one way: folded once, repaired once, ranked once, one result object that
the page and the API render; one call gives the page its results, related questions and log id."""

import ast
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.core.viewer import ANONYMOUS
from portal.extensions import db
from portal.kb import services as kb
from portal.kb.importer import Record
from portal.search import correction, pages, query, queue
from portal.search.models import SearchLog

ARTICLES = [
    ("p-1", "登录密码忘记了怎么办", "在登录页点击忘记密码，按提示重置。"),
    ("p-2", "VPN连接失败怎么办", "检查网络后重新连接VPN客户端。"),
    ("p-3", "差旅报销需要哪些发票", "住宿和交通发票都要上传。"),
    ("p-4", "打印机卡纸的处理", "打开前盖取出纸张。"),
]


@pytest.fixture
def kb_app(app):
    with app.app_context():
        kb.import_records(
            [Record(i + 2, eid, title, body, "操作指南", "faq") for i, (eid, title, body) in enumerate(ARTICLES)]
        )
        queue.drain()
    return app


def external_ids(results):
    return [h.external_id for h in results.hits]


def test_the_query_is_folded_once_and_repaired_without_folding_again(kb_app, monkeypatch):
    calls = []

    def counting_fold(text):
        calls.append(text)
        return real_fold(text)

    def no_second_fold(text):
        raise AssertionError(f"folded again: {text!r}")

    real_fold = query.fold
    monkeypatch.setattr(query, "fold", counting_fold)
    monkeypatch.setattr(correction, "fold", no_second_fold)
    with kb_app.test_request_context():
        results = query.search("ＶＰＮ連接", ANONYMOUS)
    assert calls == ["ＶＰＮ連接"]
    assert results.searched == "vpn连接" and results.corrected is None  # folding alone is no news
    assert external_ids(results)[0] == "p-2"


def test_a_repair_is_searched_and_reported_and_exact_searches_as_typed(kb_app):
    with kb_app.test_request_context():
        repaired = query.search("denglu密码", ANONYMOUS)
        assert repaired.searched == repaired.corrected == "登录密码"
        assert external_ids(repaired)[0] == "p-1"
        typed = query.search("denglu密码", ANONYMOUS, exact=True)
        assert typed.corrected is None and typed.searched == "denglu密码"


def test_one_call_gives_results_related_questions_and_the_logged_search(kb_app):
    with kb_app.test_request_context():
        page = pages.search_page("差旅報銷", ANONYMOUS, token="t-1", with_facets=True)
        assert external_ids(page.results)[0] == "p-3"
        assert page.related == []  # nothing clicked together yet, no curated links
        row = db.session.get(SearchLog, page.search_id)
        assert (row.typed, row.query, row.corrected, row.hits) == ("差旅報銷", "差旅报销", False, page.results.total)
        assert row.source == "web"

        unlogged = pages.search_page("打印机", ANONYMOUS, with_related=False)
        assert unlogged.search_id is None and external_ids(unlogged.results)[0] == "p-4"
        assert db.session.scalar(select(SearchLog.id).where(SearchLog.query == "打印机")) is None


def test_the_page_and_the_api_render_the_same_results(kb_app):
    with kb_app.test_request_context():
        expected = external_ids(query.search("忘记密码", ANONYMOUS))
    api = kb_app.test_client().get("/api/v1/search", query_string={"q": "忘记密码"}).get_json()
    assert [r["external_id"] for r in api["results"]] == expected
    html = kb_app.test_client().get("/", query_string={"q": "忘记密码"}).get_data(as_text=True)
    on_page = re.findall(r'<h3><a href="(/kb/articles/\d+)\?', html)
    assert on_page and on_page == [urlsplit(r["url"]).path for r in api["results"]]
    # a later page of the API is the same search: a new session asking for it logs nothing
    kb_app.test_client().get("/api/v1/search", query_string={"q": "忘记密码", "page": 2})
    with kb_app.app_context():
        sources = [r.source for r in db.session.scalars(select(SearchLog).order_by(SearchLog.id))]
    assert sources == ["api", "web"]


def test_no_search_module_reads_another_objects_private_attributes():
    allowed = {"_get_current_object"}  # Flask's proxy API
    found = []
    for path in sorted(Path(query.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")) and node.attr not in allowed:
                    found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    assert found == []
