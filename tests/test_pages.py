"""Every page: who may open it, full page vs htmx fragment, and the site's error pages."""

import pytest

from tests.conftest import HTMX

PUBLIC = ["/", "/?q=忘记密码", "/kb/categories/1", "/kb/manuals/1", "/kb/articles/1", "/login"]
CURATOR_ONLY = ["/kb/articles/new", "/kb/articles/1/edit", "/kb/categories"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_open_anonymously(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<!doctype html>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PUBLIC[:-1])
def test_public_kb_off_sends_anonymous_visitors_to_sign_in(client, demo_app, path):
    demo_app.config["PUBLIC_KB"] = False
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("path", CURATOR_ONLY)
def test_curator_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login?next=" in response.location


@pytest.mark.parametrize("path", CURATOR_ONLY)
def test_employee_gets_403_page(client, auth, path):
    auth.login("zhangwei")
    response = client.get(path)
    assert response.status_code == 403
    assert "<!doctype html>" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", ["chenjing", "admin"])
@pytest.mark.parametrize("path", CURATOR_ONLY)
def test_curators_and_admins_open_curator_pages(client, auth, user, path):
    auth.login(user)
    assert client.get(path).status_code == 200


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
        ("/kb/categories/1", 'id="category-list"'),
    ],
)
def test_list_urls_give_a_page_without_htmx_and_a_fragment_with_it(client, path, root_id):
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
def test_language_switch(client, code, lang, word):
    response = client.get(f"/lang/{code}?next=/kb/articles/1")
    assert response.status_code == 303 and response.location.endswith("/kb/articles/1")
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
