"""Popular searches end to end: searches through the page and the API, the log, completion as an
anonymous visitor sees it; and the search log's per-client allowance."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.search import completion
from portal.search.models import SearchLog
from tests import factories as f
from tests.conftest import Auth, rolled_back_app

PEOPLE = ("zhangwei", "lisi", "wangwu", "zhaoliu")
PHISHING = "报销单打印 请加QQ群 123456 代办解锁"


def kb():
    """A few public FAQs about 报销单, and one internal article, all indexed."""
    public = [
        f.article("报销单打印失败怎么办", "报销单打印时提示失败，请检查打印机与浏览器设置。"),
        f.article("报销单打印格式错乱", "报销单打印出来格式不对：选择 A4 纸张。"),
        f.article("报销单填写说明", "报销单各栏目的填写方法。"),
    ]
    internal = f.article("2027年薪酬调整方案", "2027年薪酬调整方案，内部资料，请勿外传。", visibility="internal")
    f.reindex(*public, internal)
    for name in PEOPLE:
        f.user(name)
    db.session.commit()  # a savepoint only
    return internal


@pytest.fixture
def world(db_app):
    return kb()


def signed_in(app, username):
    c = app.test_client()
    assert Auth(c).login(username).status_code == 303
    return c


def search_as(app, people, text, **params):
    for name in people:
        assert signed_in(app, name).get("/", query_string={"q": text, **params}).status_code == 200


def offered(app, prefix, *, as_user=None):
    """The popular searches completion offers for `prefix`, to a visitor or `as_user`."""
    completion.invalidate()
    c = signed_in(app, as_user) if as_user else app.test_client()
    found = c.get("/api/v1/suggest", query_string={"q": prefix}).get_json()["suggestions"]
    return [s["text"] for s in found if s["kind"] == "query"]


def rows():
    return db.session.execute(
        select(SearchLog.query, SearchLog.typed, SearchLog.corrected, SearchLog.searcher, SearchLog.shown)
    ).all()


def test_three_distinct_signed_in_people_make_a_search_popular(db_app, world):
    search_as(db_app, PEOPLE[:2], "报销单打印")
    assert offered(db_app, "bxd") == []
    search_as(db_app, PEOPLE[2:3], "报销单打印")
    assert offered(db_app, "bxd") == ["报销单打印"]  # offered to anonymous visitors too
    assert offered(db_app, "报销", as_user="zhangwei") == ["报销单打印"]


def test_one_person_in_many_sessions_counts_once(db_app, world):
    search_as(db_app, ["zhangwei"] * 3 + ["lisi"], "报销单打印")
    assert offered(db_app, "bxd") == []


def test_anonymous_visitors_and_api_calls_are_not_counted(db_app, world):
    for _ in range(5):  # anonymous on the page, each a new session
        assert db_app.test_client().get("/", query_string={"q": PHISHING}).status_code == 200
    cookieless = db_app.test_client(use_cookies=False)
    for _ in range(5):
        assert cookieless.get("/api/v1/search", query_string={"q": PHISHING}).status_code == 200
    for name in PEOPLE:  # signed in by a token: the API's robots do not speak for people
        assert db_app.test_client().get("/api/v1/search", query_string={"q": PHISHING}, headers=f.bearer(name)).json
    logged = rows()
    assert len(logged) == 5 + 5 + len(PEOPLE) and all(r.searcher is None for r in logged)
    assert all(r.shown for r in logged)  # they found public documents: only who searched stops them
    assert offered(db_app, "bxd") == [] and offered(db_app, "qing") == []


def test_an_internal_articles_title_searched_by_employees_is_never_offered(db_app, world):
    search_as(db_app, PEOPLE, "2027年薪酬调整方案")
    assert {r.shown.split()[0] for r in rows()} == {f"article:{world.id}"}  # what they were shown
    assert offered(db_app, "2027") == []
    assert offered(db_app, "xc") == []
    assert offered(db_app, "2027", as_user="zhangwei") == []  # a query entry is offered to everyone or no one


def test_a_repaired_form_nobody_typed_is_never_offered(db_app, world):
    search_as(db_app, PEOPLE, "baoxiaodan dayin")
    assert {(r.corrected, r.typed) for r in rows()} == {(True, "baoxiaodan dayin")}  # repaired, as the test needs
    assert offered(db_app, "bxd") == [] and offered(db_app, "baoxiao") == []


def test_only_the_unfiltered_first_page_records_the_results_shown(db_app, world):
    c = signed_in(db_app, "zhangwei")
    c.get("/", query_string={"q": "报销单"})
    assert [r.shown.count("article:") for r in rows()] == [3]
    c.get("/", query_string={"q": "报销单打印", "kind": "faq"})  # typing on, filtered: one row
    assert [r.shown for r in rows()] == [""]  # not the results of the text before
    c.get("/", query_string={"q": "报销单打印", "page": "2"})
    assert [r.shown for r in rows()] == [""]
    c.get("/", query_string={"q": "报销单打印"})
    assert [r.shown.count("article:") for r in rows()] == [3]
    c.get("/", query_string={"q": "报销单打印", "page": "2"})  # a later page keeps the top
    assert [r.shown.count("article:") for r in rows()] == [3]


def test_the_searcher_mark_names_nobody_and_differs_per_text(db_app, world):
    c = signed_in(db_app, "zhangwei")
    c.get("/", query_string={"q": "报销单打印"})
    c.get("/", query_string={"q": "报销单填写"})
    c.get("/", query_string={"q": "报销单打印"})
    marks = [r.searcher for r in rows()]
    assert marks[0] == marks[2] != marks[1]
    assert all(len(m) == 32 and "zhangwei" not in m for m in marks)


# --- the search log's allowance -----------------------------------------------------------------


@pytest.fixture
def limited(tmp_path, schema_db):
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_SEARCH": "1000 per minute", "RATELIMIT_SEARCH_LOG": "3 per minute"}
    with rolled_back_app(tmp_path, schema_db, **config) as app:
        kb()
        yield app


def at(app, address, **kwargs):
    c = app.test_client(**kwargs)
    c.environ_base["REMOTE_ADDR"] = address
    return c


def count():
    return db.session.scalar(select(func.count(SearchLog.id)))


def test_cookie_less_calls_cannot_grow_the_log_past_the_allowance(limited):
    bot = at(limited, "10.0.0.1", use_cookies=False)
    answers = [bot.get("/api/v1/search", query_string={"q": f"报销单 {n}"}) for n in range(10)]
    assert {a.status_code for a in answers} == {200} and all(a.get_json()["total"] for a in answers)
    assert count() == 3  # answered ten times, logged three
    page = at(limited, "10.0.0.1", use_cookies=False).get("/", query_string={"q": "报销单 打印"})
    hits = page.get_data(as_text=True).split('class="hits"')[1]
    assert page.status_code == 200 and "/kb/articles/" in hits  # answered ...
    assert not re.search(r"[?;]s=", hits)  # ... with no log row for its links to refer to
    assert count() == 3
    at(limited, "10.0.0.2", use_cookies=False).get("/api/v1/search", query_string={"q": "报销单"})
    assert count() == 4  # another address has its own allowance


def test_a_signed_in_person_has_an_allowance_of_their_own(limited):
    for n in range(3):
        at(limited, "10.0.0.1").get("/", query_string={"q": f"报销单 {n}"})
    assert count() == 3
    person = at(limited, "10.0.0.1")
    assert Auth(person).login("zhangwei").status_code == 303
    for n in range(5):
        person.get("/", query_string={"q": f"填写 {n}"})
    assert count() == 6  # the same address, but counted by the person: three more


def test_typing_on_refines_one_row_without_spending_the_allowance(limited):
    c = at(limited, "10.0.0.1")
    for partial in ("报", "报销", "报销单", "报销单打", "报销单打印"):
        c.get("/", query_string={"q": partial})
    assert count() == 1
    c.get("/", query_string={"q": "填写说明"})
    c.get("/", query_string={"q": "格式错乱"})
    c.get("/", query_string={"q": "打印机"})
    assert count() == 3
