"""An article or chapter opened from a search result marks the searched words (server-side, in
the text of the rendered page only) and carries the script that scrolls to the first mark."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories as f


@pytest.fixture
def article(db_app):
    return f.article(
        "忘记OA登录密码怎么办？",
        '## 重置密码\n\n1. 打开登录页，点击 **忘记密码**\n2. 用绑定手机的验证码[重置密码](/kb/articles/1 "密码")\n\n'
        "`登录页 > 忘记密码`\n\n![密码页](/static/img/logo.svg)",
    )


def body_of(html: str) -> str:
    return html[html.index('<div class="article-body"') : html.index("<hr>")]


def test_the_searched_words_are_marked_in_the_text_and_the_title(db_client, article):
    html = db_client.get(f"/kb/articles/{article.id}?q=忘记密码").get_data(as_text=True)
    body = body_of(html)
    assert 'data-marks="' in body
    assert "<strong><mark>忘记密码</mark></strong>" in body
    assert "<code>登录页 &gt; <mark>忘记密码</mark></code>" in body
    assert '<a href="/kb/articles/1" title="密码" rel="noopener noreferrer">重置<mark>密码</mark></a>' in body
    assert 'alt="密码页"' in body  # attributes are never marked
    assert "<h1><mark>忘记</mark>OA登录<mark>密码</mark>怎么办？</h1>" in html
    assert "js/marks.js" in html


def test_what_was_searched_instead_is_marked_when_the_query_was_repaired(db_client, article):
    html = db_client.get(f"/kb/articles/{article.id}?q=登陆&hl=登录").get_data(as_text=True)
    assert "打开<mark>登录</mark>页" in body_of(html)


def test_without_a_query_nothing_is_marked_and_no_script_is_loaded(db_client, article):
    html = db_client.get(f"/kb/articles/{article.id}").get_data(as_text=True)
    assert "<mark>" not in html and "data-marks" not in html and "js/marks.js" not in html
    html = db_client.get(f"/kb/articles/{article.id}?q=不相干的词").get_data(as_text=True)
    assert "<mark>" not in body_of(html) and "js/marks.js" not in html


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert(1)</script>密码",
        '"><img src=x onerror=alert(1)>密码',
        "strong mark href title rel",  # names of the markup around the words
        "amp lt gt quot",  # names of the entities in the text
        "</mark><mark>密码",
    ],
)
def test_a_query_cannot_add_markup(db_client, article, q):
    clean = db_client.get(f"/kb/articles/{article.id}").get_data(as_text=True)
    html = db_client.get(f"/kb/articles/{article.id}", query_string={"q": q}).get_data(as_text=True)
    # what was typed may come back only escaped (the vote form keeps the query in a hidden field)
    assert "<script>alert" not in html and "<img src=x" not in html
    unmarked = body_of(html).replace("<mark>", "").replace("</mark>", "")
    strip = re.compile(r' data-marks="\d+"')
    assert strip.sub("", unmarked) == body_of(clean)  # only <mark> was added, nothing else changed


def test_result_links_carry_the_query_and_what_was_searched_instead(client):
    """On the demo: 登陆 is repaired to 登录; the result opens with 登录 marked."""
    html = client.get("/?q=登陆").get_data(as_text=True)
    assert 'id="did-you-mean"' in html
    link = re.search(r'<ol class="hits".*?<h3><a href="([^"]+)"', html, re.S).group(1).replace("&amp;", "&")
    args = parse_qs(urlsplit(link).query)
    assert args["q"] == ["登陆"] and args["hl"] == ["登录"] and args["r"] == ["1"]
    page = client.get(link).get_data(as_text=True)
    assert "<mark>登录</mark>" in page
    plain = client.get("/?q=忘记密码").get_data(as_text=True)
    link = re.search(r'<ol class="hits".*?<h3><a href="([^"]+)"', plain, re.S).group(1).replace("&amp;", "&")
    assert "hl" not in parse_qs(urlsplit(link).query)
