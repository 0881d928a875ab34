"""One query length limit: the search box takes SEARCH_MAX_QUERY_LENGTH characters, and a longer
query from a link or the API is searched on its first that many characters, with a message — on
the page, in the search API and in completion alike."""

import re

import pytest

from portal.extensions import db
from tests import factories as f

LIMIT = 200
PADDING = "，请尽快帮忙处理" * 40  # what follows the question in a pasted e-mail: far past the limit


@pytest.fixture(autouse=True)
def world(db_app):
    faqs = f.sign_in_faqs(f.category("登录问题"))
    f.reindex(*faqs, *f.filler_articles())
    db.session.commit()  # a savepoint only
    return faqs[0]  # 忘记OA登录密码怎么办？


def hit_links(html: str) -> list[str]:
    return re.findall(r'<h3><a href="(/kb/articles/\d+)\?', html)


def english(client):
    client.set_cookie("portal_lang", "en")
    return client


def test_the_box_takes_exactly_as_many_characters_as_the_server_searches(db_app, db_client):
    assert db_app.config["SEARCH_MAX_QUERY_LENGTH"] == LIMIT
    html = db_client.get("/").get_data(as_text=True)
    box = re.search(r'<input type="search" id="q"[^>]*>', html).group(0)
    assert f'maxlength="{LIMIT}"' in box


def test_a_longer_query_from_a_link_is_searched_on_its_first_characters_with_a_message(db_client, world):
    q = "忘记OA登录密码" + PADDING
    assert len(q) > LIMIT
    response = english(db_client).get("/", query_string={"q": q})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="query-clipped"' in html and f"the first {LIMIT} were searched" in html
    assert f"/kb/articles/{world.id}" in hit_links(html)  # the question at the start was searched
    box = re.search(r'<input type="search" id="q"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', box).group(1)
    assert len(value) == LIMIT and q.startswith(value)  # the box shows what was searched


def test_a_query_at_the_limit_has_no_message(db_client, world):
    q = ("忘记OA登录密码" + PADDING)[:LIMIT]
    html = db_client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert f"/kb/articles/{world.id}" in hit_links(html) and 'id="query-clipped"' not in html


def test_the_search_api_searches_the_first_characters_and_says_so(db_client, world):
    q = "忘记OA登录密码" + PADDING
    data = english(db_client).get("/api/v1/search", query_string={"q": q}).get_json()
    assert data["clipped"] is True and data["query"] == q[:LIMIT]
    assert str(LIMIT) in data["notice"]
    assert world.id in [r["id"] for r in data["results"]]
    short = db_client.get("/api/v1/search", query_string={"q": "忘记密码"}).get_json()
    assert short["clipped"] is False and "notice" not in short


def test_completion_takes_a_long_prefix_too(db_client):
    page = db_client.get("/search/suggest", query_string={"q": "忘记" + "x" * 300})
    assert page.status_code == 200
    api = db_client.get("/api/v1/suggest", query_string={"q": "忘记" + "x" * 300})
    assert api.status_code == 200 and api.get_json()["clipped"] is True
    assert len(api.get_json()["query"]) == LIMIT
    assert db_client.get("/api/v1/suggest", query_string={"q": "  "}).status_code == 400
