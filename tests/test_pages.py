"""Every page: who may open it, full page vs htmx fragment, and the site's error pages."""

import pytest

from portal.auth.roles import Role
from portal.extensions import db
from tests import factories as f
from tests.conftest import HTMX

# {category}, {manual}, {article}: the ids of the world's sign-in category, manual and first FAQ
PUBLIC = ["/", "/?q=忘记密码", "/kb/categories/{category}", "/kb/manuals/{manual}", "/kb/articles/{article}", "/login"]
CURATOR_ONLY = ["/kb/articles/new", "/kb/articles/{article}/edit", "/kb/categories"]


@pytest.fixture(autouse=True)
def world(db_app) -> dict[str, int]:
    """An employee, a curator and an administrator; the sign-in FAQs and a few others (indexed)
    and the demo's manual, in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟")
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])
    f.user("admin", display_name="系统管理员", roles=[Role.ADMIN])
    login = f.category("登录问题")
    faqs = f.sign_in_faqs(login)
    manual = f.demo_manual()
    f.reindex(*faqs, *f.filler_articles())
    db.session.commit()  # a savepoint only
    return {"category": login.id, "manual": manual.id, "article": faqs[0].id}


@pytest.fixture
def client(db_client):
    return db_client


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_open_anonymously(client, world, path):
    response = client.get(path.format(**world))
    assert response.status_code == 200
    assert "<!doctype html>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PUBLIC[:-1])
def test_public_kb_off_sends_anonymous_visitors_to_sign_in(client, db_app, world, path):
    db_app.config["PUBLIC_KB"] = False
    response = client.get(path.format(**world))
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("path", CURATOR_ONLY)
def test_curator_pages_need_sign_in(client, world, path):
    response = client.get(path.format(**world))
    assert response.status_code == 302 and "/login?next=" in response.location


@pytest.mark.parametrize("path", CURATOR_ONLY)
def test_employee_gets_403_page(client, auth, world, path):
    auth.login("zhangwei")
    response = client.get(path.format(**world))
    assert response.status_code == 403
    assert "<!doctype html>" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", ["chenjing", "admin"])
@pytest.mark.parametrize("path", CURATOR_ONLY)
def test_curators_and_admins_open_curator_pages(client, auth, world, user, path):
    auth.login(user)
    assert client.get(path.format(**world)).status_code == 200


def test_404_page_matches_the_site(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<!doctype html>" in html and "搜索" in html and "Traceback" not in html


def test_unknown_article_is_404(client):
    assert client.get("/kb/articles/999999").status_code == 404


@pytest.mark.parametrize(
    "path,root_id",
    [
        ("/?q=密码", 'id="search-results"'),
        ("/kb/categories/{category}", 'id="category-list"'),
    ],
)
def test_list_urls_give_a_page_without_htmx_and_a_fragment_with_it(client, world, path, root_id):
    path = path.format(**world)
    page = client.get(path)
    fragment = client.get(path, headers=HTMX)
    assert "<!doctype html>" in page.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert (
        "<!doctype html>" not in body and body.lstrip().startswith("<div " + root_id) or root_id in body.split(">")[0]
    )
    assert "HX-Request" in fragment.headers.get("Vary", "")


@pytest.mark.parametrize("extra", [{"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}])
def test_boosted_and_history_restore_requests_get_the_full_page(client, extra):
    response = client.get("/?q=密码", headers={**HTMX, **extra})
    assert "<!doctype html>" in response.get_data(as_text=True)


def test_default_language_is_simplified_chinese(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "登录" in html


@pytest.mark.parametrize("code,lang,word", [("en", "en", "Sign in"), ("ja", "ja", "ログイン")])
def test_language_switch(client, world, code, lang, word):
    article = world["article"]
    response = client.get(f"/lang/{code}?next=/kb/articles/{article}")
    assert response.status_code == 303 and response.location.endswith(f"/kb/articles/{article}")
    html = client.get("/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and word in html


def test_language_switch_refuses_open_redirects(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.location == "/"


def test_unknown_language_is_404(client):
    assert client.get("/lang/xx").status_code == 404


def test_results_page_says_what_was_searched_instead_and_offers_the_original(client):
    html = client.get("/?q=denglu").get_data(as_text=True)
    assert 'id="did-you-mean"' in html and '<strong lang="zh-CN">登录</strong>' in html
    assert "exact=1" in html
    html = client.get("/?q=denglu&exact=1").get_data(as_text=True)
    assert 'id="did-you-mean"' not in html


def test_corrected_text_is_escaped(client):
    html = client.get("/", query_string={"q": "denglu<i>x</i>"}).get_data(as_text=True)
    assert "<i>x</i>" not in html
