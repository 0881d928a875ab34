"""Search quality through the API on the demo knowledge base (its 106 FAQs and the manual): the
password FAQs come first, typos, pinyin and traditional characters are repaired with its vocabulary.
The API's mechanics (filters, paging, errors, access) are tested on factories in test_search_api.py."""

import pytest


def search(client, **params):
    return client.get("/api/v1/search", query_string=params)


def test_forgot_password_finds_the_password_faqs_first(client):
    data = search(client, q="忘记密码", limit=5).get_json()
    assert data["query"] == "忘记密码" and data["total"] >= 3
    top = data["results"][0]
    assert "密码" in top["title"] and ("忘记" in top["title"] or "找回" in top["title"])
    assert set(top) >= {"id", "external_id", "kind", "title", "url", "snippet", "score"}
    assert top["url"].startswith("http://localhost/kb/articles/")
    assert "<mark" in top["snippet"]
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "q,corrected",
    [
        ("登陆", "登录"),
        ("秘码", "密码"),
        ("denglu", "登录"),
        ("dlmm", "登录密码"),
        ("denglu mima", "登录密码"),
        ("报消", "报销"),
    ],
)
def test_typos_pinyin_and_traditional_find_the_login_and_password_faqs(client, q, corrected):
    data = search(client, q=q, limit=5).get_json()
    assert data["corrected"] == corrected
    top = " ".join(r["title"] for r in data["results"][:3])
    assert corrected[:2] in top
