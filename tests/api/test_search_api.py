"""/api/v1/search on a small knowledge base made per test: filters, paging, errors, Whoosh syntax as
plain text, access, the OpenAPI document. Ranking and repair quality on the demo's knowledge base:
test_search_quality_demo.py."""

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from tests import factories as f


@pytest.fixture(autouse=True)
def world(db_app):
    """An employee, the sign-in FAQs, an internal FAQ about unlocking accounts, a few others and
    the demo's manual, all in the search index, in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟")
    login = f.category("登录问题")
    faqs = f.sign_in_faqs(login)
    internal = f.article(
        "账号锁定后如何提交解锁工单",
        "账号被锁定且无法自助解锁时，提交工单由管理员解锁账号。",
        category=login,
        visibility="internal",
        external_id="demo-faq-090",
    )
    manual = f.demo_manual()
    f.reindex(*faqs, internal, *manual.chapters, *f.filler_articles())
    db.session.commit()  # a savepoint only


@pytest.fixture
def client(db_client):
    return db_client


def bearer(username: str) -> str:
    value, _row = f.api_token(db.session.scalar(select(User).where(User.username == username)))
    db.session.commit()
    return value


def search(client, **params):
    return client.get("/api/v1/search", query_string=params)


def test_limit_kind_and_category_filters(client):
    data = search(client, q="审批", limit=3, kind="manual").get_json()
    assert 0 < len(data["results"]) <= 3 and {r["kind"] for r in data["results"]} == {"manual"}
    data = search(client, q="密码", category="登录问题").get_json()
    assert data["results"] and {r["category"] for r in data["results"]} == {"登录问题"}


def test_pages_do_not_overlap(client):
    first = search(client, q="系统", limit=5, page=1).get_json()["results"]
    second = search(client, q="系统", limit=5, page=2).get_json()["results"]
    assert second and not {r["id"] for r in first} & {r["id"] for r in second}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "密码", "limit": "abc"},
        {"q": "密码", "limit": "0"},
        {"q": "密码", "limit": "51"},
        {"q": "密码", "kind": "blog"},
        {"q": "密码", "page": "-1"},
    ],
)
def test_bad_input_is_a_400_with_a_message(client, params):
    response = search(client, **params)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("q", ["AND OR (", '"unbalanced', "*", "密码 AND", "title:密码", "?", "(((", "~", "密码^3"])
def test_whoosh_syntax_never_breaks_the_search(client, q):
    response = search(client, q=q)
    assert response.status_code == 200
    assert isinstance(response.get_json()["results"], list)


def test_internal_articles_need_credentials(client):
    anonymous = {r["external_id"] for r in search(client, q="解锁 账号 工单", limit=50).get_json()["results"]}
    token = bearer("zhangwei")
    signed = client.get(
        "/api/v1/search",
        query_string={"q": "解锁 账号 工单", "limit": 50},
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()["results"]
    internal = {r["external_id"] for r in signed} - anonymous
    assert internal, "a signed-in employee should find internal articles the public cannot"


def test_public_kb_off_requires_a_token(client, db_app):
    db_app.config["PUBLIC_KB"] = False
    assert search(client, q="密码").status_code == 401
    token = bearer("zhangwei")
    assert (
        client.get(
            "/api/v1/search", query_string={"q": "密码"}, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )
    assert (
        client.get(
            "/api/v1/search", query_string={"q": "密码"}, headers={"Authorization": "Bearer pt_wrong"}
        ).status_code
        == 401
    )


def test_session_authenticates_the_api_too(client, auth):
    auth.login("zhangwei")
    assert client.get("/api/v1/me").get_json()["username"] == "zhangwei"


def test_openapi_document_is_valid_and_describes_search(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    params = {p["name"] for p in doc["paths"]["/search"]["get"]["parameters"]}
    assert params >= {"q", "limit", "kind", "category"}


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_total_is_exact_whatever_the_limit(client):
    totals = {search(client, q="忘记密码", limit=n).get_json()["total"] for n in (1, 3, 10, 50)}
    assert len(totals) == 1
    everything = search(client, q="忘记密码", limit=50)
    assert totals.pop() == len(everything.get_json()["results"]) + sum(
        len(search(client, q="忘记密码", limit=50, page=p).get_json()["results"]) for p in (2, 3)
    )


def test_correct_query_is_not_corrected_and_exact_searches_as_typed(client):
    assert search(client, q="忘记密码").get_json()["corrected"] is None
    exact = search(client, q="秘码", exact="1").get_json()
    assert exact["corrected"] is None


def test_a_valid_word_the_kb_lacks_is_left_alone(client):
    data = search(client, q="量子纠缠").get_json()
    assert data["corrected"] is None and data["total"] == 0
