import re

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.kb.models import Article
from tests import factories as f


@pytest.fixture(autouse=True)
def world(db_app):
    """A curator, the sign-in FAQs (demo-faq-001…), three FAQs numbered as the demo's 010, 050,
    080 and 090, a few others and the demo's manual, all indexed, in a rolled-back transaction."""
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])
    login = f.category("登录问题")
    faqs = f.sign_in_faqs(login)
    more = [
        f.article("密码过期后如何更新", "密码有效期 90 天，过期后登录时按提示修改密码。", category=login,
                  external_id="demo-faq-010"),
        f.article("审批待办不显示怎么办", "刷新审批中心，检查代理设置。", category="操作指南",
                  external_id="demo-faq-050"),
        f.article("报表导出为空", "检查筛选条件与数据权限。", category="数据错误", external_id="demo-faq-080"),
        f.article("手机令牌密码错误", "校准令牌时间后重新输入动态密码。", category=login, external_id="demo-faq-090"),
    ]  # fmt: skip
    manual = f.demo_manual()
    f.reindex(*faqs, *more, *manual.chapters, *f.filler_articles())
    db.session.commit()  # a savepoint only
    return {"login": login}


@pytest.fixture
def client(db_client):
    return db_client


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


def test_curator_links_come_first_and_survive_edits(client, auth, db_app, world):
    a, b, c = ids(db_app, "demo-faq-001", "demo-faq-050", "demo-faq-080")
    auth.login("chenjing")
    token = auth.csrf(f"/kb/articles/{a}/edit")
    page = client.get(f"/kb/articles/{a}/edit").get_data(as_text=True)
    title = re.search(r'id="title" [^>]*value="([^"]+)"', page).group(1)
    form = {
        "title": title,
        "kind": "faq",
        "category_id": str(world["login"].id),
        "visibility": "public",
        "manual_id": "0",
        "position": "0",
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


def test_documents_clicked_together_are_related(client, db_app):
    a, b = ids(db_app, "demo-faq-010", "demo-faq-090")
    click_together(db_app, "密码", a, b)
    assert b in related_links(client.get(f"/kb/articles/{a}").get_data(as_text=True))[:5]


def test_results_page_shows_what_was_clicked_with_the_top_hit(client, db_app):
    (far,) = ids(db_app, "demo-manual-12")
    html = client.get("/?q=忘记密码").get_data(as_text=True)
    assert 'id="related-results"' not in html  # nothing clicked together yet
    top = int(re.search(r'<h3><a href="/kb/articles/(\d+)', html).group(1))
    click_together(db_app, "忘记密码", top, far)
    html = client.get("/?q=忘记密码").get_data(as_text=True)
    section = html[html.index('id="related-results"') :]
    assert f'href="/kb/articles/{far}"' in section
