import re

from sqlalchemy import select

from portal.extensions import db
from portal.kb.models import Article


def ids(app, *external):
    with app.app_context():
        return [db.session.scalar(select(Article.id).where(Article.external_id == e)) for e in external]


def click_together(app, query, *article_ids, visitors=2):
    """Visitors search `query` and open the given articles from its results, in one session each."""
    for _ in range(visitors):
        visitor = app.test_client()
        page = visitor.get("/", query_string={"q": query}).get_data(as_text=True)
        sid = re.search(r"[?&]s=(\d+)", page.replace("&amp;", "&")).group(1)
        for rank, article in enumerate(article_ids, start=1):
            visitor.get(f"/kb/articles/{article}?s={sid}&r={rank}")


def related_links(html):
    section = html[html.index('id="related"') :]
    return [int(x) for x in re.findall(r'href="/kb/articles/(\d+)"', section)]


def test_curator_links_come_first_and_survive_edits(client, auth, demo_app):
    a, b, c = ids(demo_app, "demo-faq-001", "demo-faq-050", "demo-faq-080")
    auth.login("chenjing")
    token = auth.csrf(f"/kb/articles/{a}/edit")
    page = client.get(f"/kb/articles/{a}/edit").get_data(as_text=True)
    title = re.search(r'id="title" [^>]*value="([^"]+)"', page).group(1)
    form = {
        "title": title,
        "kind": "faq",
        "category_id": "1",
        "visibility": "public",
        "manual_id": "0",
        "position": "0",
        "published": "y",
        "body": "正文",
        "related": f"{b}, {c}",
        "csrf_token": token,
    }
    assert client.post(f"/kb/articles/{a}/edit", data=form).status_code == 303
    assert related_links(client.get(f"/kb/articles/{a}").get_data(as_text=True))[:2] == [b, c]
    assert f"{b}, {c}" in client.get(f"/kb/articles/{a}/edit").get_data(as_text=True)
    form["related"] = "999999"
    response = client.post(f"/kb/articles/{a}/edit", data=form)
    assert response.status_code == 422 and "999999" in response.get_data(as_text=True)


def test_documents_clicked_together_are_related(client, demo_app):
    a, b = ids(demo_app, "demo-faq-010", "demo-faq-090")
    click_together(demo_app, "密码", a, b)
    assert b in related_links(client.get(f"/kb/articles/{a}").get_data(as_text=True))[:5]


def test_results_page_shows_what_was_clicked_with_the_top_hit(client, demo_app):
    (far,) = ids(demo_app, "demo-manual-12")
    html = client.get("/?q=忘记密码").get_data(as_text=True)
    assert 'id="related-results"' not in html  # nothing clicked together yet
    top = int(re.search(r'<h3><a href="/kb/articles/(\d+)', html).group(1))
    click_together(demo_app, "忘记密码", top, far)
    html = client.get("/?q=忘记密码").get_data(as_text=True)
    section = html[html.index('id="related-results"') :]
    assert f'href="/kb/articles/{far}"' in section


def test_meaning_finds_a_paraphrase_that_shares_few_words(client):
    """冻结 never appears in the lockout FAQ; the sentence embedding still ranks it first."""
    data = client.get("/api/v1/search", query_string={"q": "账号被冻结了"}).get_json()
    assert "锁定" in data["results"][0]["title"]
