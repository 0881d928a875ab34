import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.kb.models import Article, Category
from tests import factories as f
from tests.conftest import HTMX


@pytest.fixture(autouse=True)
def world(db_app):
    """An employee and a curator, the four seeded categories, FAQs about signing in (numbered
    demo-faq-001… as the demo's, of different popularity, one internal), a few others, and the
    demo's manual; the FAQs are in the search index."""
    f.user("zhangwei", display_name="张伟")
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])
    f.user("zhaomin", display_name="赵敏", roles=[Role.CURATOR])
    categories = {name: f.category(name) for name in ("登录问题", "权限问题", "数据错误", "操作指南")}
    login = categories["登录问题"]
    faqs = f.sign_in_faqs(login)
    manual = f.demo_manual()
    f.reindex(*faqs, *f.filler_articles())
    db.session.commit()  # a savepoint only
    return {"categories": categories, "manual": manual}


@pytest.fixture
def client(db_client):
    return db_client


def article_id(app, external_id):
    with app.app_context():
        return db.session.scalar(select(Article.id).where(Article.external_id == external_id))


def test_article_page_renders_markdown_related_questions_and_counts_views(client, db_app):
    aid = article_id(db_app, "demo-faq-001")
    html = client.get(f"/kb/articles/{aid}").get_data(as_text=True)
    assert "<ol>" in html or "<ul>" in html
    assert 'id="related"' in html and html.count('href="/kb/articles/') >= 3
    with db_app.app_context():
        before = db.session.get(Article, aid).view_count
    client.get(f"/kb/articles/{aid}")
    with db_app.app_context():
        assert db.session.get(Article, aid).view_count == before + 1


def test_internal_article_is_hidden_from_anonymous_visitors(client, auth, db_app):
    with db_app.app_context():
        aid = db.session.scalar(select(Article.id).where(Article.visibility == "internal"))
    assert client.get(f"/kb/articles/{aid}").status_code == 404
    auth.login("zhangwei")
    assert client.get(f"/kb/articles/{aid}").status_code == 200


def test_vote_with_htmx_returns_the_fragment_and_one_vote_per_reader(client, auth, db_app):
    aid = article_id(db_app, "demo-faq-002")
    auth.login("zhangwei")
    token = auth.csrf(f"/kb/articles/{aid}")
    with db_app.app_context():
        yes_before = db.session.get(Article, aid).helpful_yes
    response = client.post(f"/kb/articles/{aid}/vote", data={"helpful": "yes", "csrf_token": token}, headers=HTMX)
    assert response.status_code == 200 and response.get_data(as_text=True).startswith('<section id="vote"')
    client.post(f"/kb/articles/{aid}/vote", data={"helpful": "yes", "csrf_token": token}, headers=HTMX)
    with db_app.app_context():
        assert db.session.get(Article, aid).helpful_yes == yes_before + 1
    client.post(f"/kb/articles/{aid}/vote", data={"helpful": "no", "csrf_token": token})
    with db_app.app_context():
        article = db.session.get(Article, aid)
        assert article.helpful_yes == yes_before


def test_vote_without_js_redirects_and_bad_value_is_400(client, auth, db_app):
    aid = article_id(db_app, "demo-faq-003")
    token = auth.csrf(f"/kb/articles/{aid}")
    assert client.post(f"/kb/articles/{aid}/vote", data={"helpful": "yes", "csrf_token": token}).status_code == 303
    assert client.post(f"/kb/articles/{aid}/vote", data={"helpful": "maybe", "csrf_token": token}).status_code == 400


def ticket_link(html: str) -> str | None:
    m = re.search(r'<a class="btn primary" id="vote-ticket" href="([^"]+)"', html)
    return m and unquote(m.group(1).replace("&amp;", "&"))


def test_no_offers_a_ticket_with_what_was_searched(client, auth, db_app):
    aid = article_id(db_app, "demo-faq-002")
    opened = client.get(f"/kb/articles/{aid}", query_string={"q": "账号锁了"}).get_data(as_text=True)
    assert '<input type="hidden" name="q" value="账号锁了">' in opened and ticket_link(opened) is None
    token = auth.csrf(f"/kb/articles/{aid}")
    vote = {"helpful": "no", "csrf_token": token, "q": "账号锁了"}
    fragment = client.post(f"/kb/articles/{aid}/vote", data=vote, headers=HTMX).get_data(as_text=True)
    assert ticket_link(fragment) == "/tickets/new?title=账号锁了"
    # without JS: back to the article, which offers the same link
    response = client.post(f"/kb/articles/{aid}/vote", data=vote)
    assert response.status_code == 303 and "q=" in response.headers["Location"]
    assert ticket_link(client.get(response.headers["Location"]).get_data(as_text=True)) == "/tickets/new?title=账号锁了"


def test_no_without_a_search_offers_a_ticket_with_the_article_title(client, auth, db_app):
    aid = article_id(db_app, "demo-faq-003")
    token = auth.csrf(f"/kb/articles/{aid}")
    fragment = client.post(f"/kb/articles/{aid}/vote", data={"helpful": "no", "csrf_token": token}, headers=HTMX)
    with db_app.app_context():
        title = db.session.get(Article, aid).title
    assert ticket_link(fragment.get_data(as_text=True)) == f"/tickets/new?title={title}"
    auth.login("zhangwei")  # the form it opens starts from that title
    assert f'value="{title}"' in client.get(f"/tickets/new?title={title}").get_data(as_text=True)


def test_the_vote_buttons_draw_their_icons_without_an_emoji_font(client, db_app):
    html = client.get(f"/kb/articles/{article_id(db_app, 'demo-faq-001')}").get_data(as_text=True)
    vote = html[html.index('<section id="vote"') :]
    vote = vote[: vote.index("</section>")]
    assert vote.count('<use href="/static/img/icons.svg#thumb-') == 2
    assert not re.search("[\U0001f300-\U0001faff\u2600-\u27bf]", vote)  # no emoji left to need a font
    with client.get("/static/img/icons.svg") as response:
        sprite = response.get_data(as_text=True)
    assert 'id="thumb-up"' in sprite and 'id="thumb-down"' in sprite


def test_category_page_sorts_by_popularity(client, db_app):
    with db_app.app_context():
        category = db.session.scalar(select(Category).where(Category.name == "登录问题"))
        articles = db.session.scalars(
            select(Article).where(Article.category_id == category.id, Article.visibility == "public")
        ).all()
        expected = sorted(articles, key=lambda a: (-a.popularity, a.id))[:5]
        cid = category.id
    html = client.get(f"/kb/categories/{cid}").get_data(as_text=True)
    positions = [html.index(f'href="/kb/articles/{a.id}"') for a in expected]
    assert positions == sorted(positions)


def test_manual_page_has_a_table_of_contents(client, world):
    html = client.get(f"/kb/manuals/{world['manual'].id}").get_data(as_text=True)
    assert html.count('class="toc"') == 1 and html.count("<strong>第") >= 10
    assert "#1-1-" in html


def test_curator_creates_and_edits_an_article_and_it_is_searchable(client, auth, world):
    """A new article is a draft nobody finds; once a second curator published it, it is found,
    and an edit of the published article is found at once."""
    auth.login("chenjing")
    token = auth.csrf("/kb/articles/new")
    form = {
        "title": "会议室预订冲突怎么处理",
        "kind": "faq",
        "category_id": str(world["categories"]["操作指南"].id),
        "visibility": "public",
        "manual_id": "0",
        "position": "0",
        "body": "1. 打开 `行政服务 > 会议室`\n2. 点击**改期**",
        "csrf_token": token,
    }
    response = client.post("/kb/articles/new", data=form)
    assert response.status_code == 303 and response.location.endswith("/review")
    page = client.get(response.location).get_data(as_text=True)
    assert "<code>行政服务 &gt; 会议室</code>" in page
    assert client.get("/api/v1/search", query_string={"q": "会议室预订"}).get_json()["results"] == []
    aid = int(response.location.split("/")[-2])
    review = {"action": "submit", "csrf_token": token}
    assert client.post(f"/kb/articles/{aid}/review", data=review).status_code == 303
    auth.logout()
    auth.login("zhaomin")
    review = {"action": "publish", "csrf_token": auth.csrf(f"/kb/articles/{aid}/review")}
    assert client.post(f"/kb/articles/{aid}/review", data=review).status_code == 303
    hits = client.get("/api/v1/search", query_string={"q": "会议室预订"}).get_json()["results"]
    assert hits[0]["title"] == "会议室预订冲突怎么处理" and hits[0]["id"] == aid
    form["title"], form["csrf_token"] = "会议室预订冲突与改期", review["csrf_token"]
    assert client.post(f"/kb/articles/{aid}/edit", data=form).status_code == 303
    assert client.get("/api/v1/search", query_string={"q": "改期"}).get_json()["results"][0]["id"] == aid


def test_invalid_article_keeps_what_was_typed(client, auth, world):
    auth.login("chenjing")
    token = auth.csrf("/kb/articles/new")
    response = client.post(
        "/kb/articles/new",
        data={
            "title": "",
            "kind": "faq",
            "category_id": str(world["categories"]["登录问题"].id),
            "visibility": "public",
            "manual_id": "0",
            "body": "我写了很长的正文，不能丢",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "我写了很长的正文，不能丢" in html and 'aria-invalid="true"' in html


def test_unknown_category_is_a_field_error_not_a_500(client, auth):
    auth.login("chenjing")
    token = auth.csrf("/kb/articles/new")
    response = client.post(
        "/kb/articles/new",
        data={
            "title": "x",
            "kind": "faq",
            "category_id": "999",
            "visibility": "public",
            "manual_id": "0",
            "body": "",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422


def test_employee_cannot_write_articles(client, auth):
    auth.login("zhangwei")
    token = auth.csrf("/")
    assert client.post("/kb/articles/new", data={"title": "x", "csrf_token": token}).status_code == 403
    assert client.post("/kb/preview", data={"body": "x", "csrf_token": token}).status_code == 403


def test_preview_is_sanitized(client, auth):
    auth.login("chenjing")
    token = auth.csrf("/kb/articles/new")
    html = client.post(
        "/kb/preview", data={"body": "**粗体**<script>x()</script>", "csrf_token": token}, headers=HTMX
    ).get_data(as_text=True)
    assert "<strong>粗体</strong>" in html and "<script>" not in html


def test_curator_adds_a_category_and_duplicates_are_refused(client, auth):
    auth.login("chenjing")
    token = auth.csrf("/kb/categories")
    assert client.post("/kb/categories", data={"name": "移动办公", "csrf_token": token}).status_code == 303
    assert "移动办公" in client.get("/kb/categories").get_data(as_text=True)
    response = client.post("/kb/categories", data={"name": "移动办公", "csrf_token": token})
    assert response.status_code == 422
