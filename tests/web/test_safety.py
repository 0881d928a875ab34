"""Request safety every route shares: security headers, bounded integers, text no database can
keep, JSON nested past reason, local-only redirects, CSRF for every cookie-signed write."""

from __future__ import annotations

import re

import pytest

from portal.config import REPO_ROOT
from portal.extensions import db
from portal.web import safety
from tests import factories as f

HUGE = str(2**63)  # one past the largest BIGINT


@pytest.fixture(autouse=True)
def world(db_app):
    f.user("zhangwei", display_name="张伟", department="finance", region="east")
    f.support_desk()
    for name in ("登录问题", "操作指南"):
        f.category(name)
    faq = f.article(title="忘记OA登录密码怎么办？")
    db.session.commit()  # a savepoint only
    return {"faq": faq}


def _bearer(username: str) -> dict:
    header = f.bearer(username)
    db.session.commit()
    return header


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/search?q=密码", "/no-such-page"])
def test_every_response_carries_the_security_headers(db_client, path):
    r = db_client.get(path)
    csp = r.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    sources = directives["script-src"].split()
    assert sources[0] == "'self'" and re.fullmatch(r"'nonce-[\w-]{22}'", sources[1]) and len(sources) == 2
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP: HSTS would lock people out


def test_the_script_nonce_is_new_for_every_response(db_client):
    nonces = {db_client.get("/").headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0] for _ in range(3)}
    assert len(nonces) == 3


def test_cookies_are_secure_by_default_and_plain_only_where_configured(tmp_path, monkeypatch):
    from portal import create_app
    from tests.conftest import make_config

    config = make_config(tmp_path)
    del config["SECURE_COOKIES"]
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get("/login", base_url="https://portal.example")
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    monkeypatch.setenv("PORTAL_SECURE_COOKIES", "0")
    plain = create_app(
        {k: v for k, v in config.items() if k != "INSTANCE_PATH"} | {"INSTANCE_PATH": str(tmp_path / "b")}
    )
    assert plain.config["SESSION_COOKIE_SECURE"] is False


def test_hsts_only_over_https(db_client):
    r = db_client.get("/", base_url="https://portal.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_runs_an_inline_script():
    """script-src 'self' holds only while every script is a file (the PDF template is not served)."""
    offenders = []
    for path in (REPO_ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "<script>" in text or "<script type=" in text or " onclick=" in text or "javascript:" in text:
            offenders.append(path.name)
    assert offenders == []


# --- integers, text, JSON ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"/tickets/{HUGE}", f"/kb/articles/{HUGE}", f"/approvals/{HUGE}"])
def test_a_path_integer_beyond_the_database_is_no_page(db_client, db_auth, path):
    db_auth.login("zhangwei")
    assert db_client.get(path).status_code == 404


def test_a_form_integer_beyond_the_database_is_refused(db_client, db_auth):
    db_auth.login("zhangwei")
    token = db_auth.csrf("/tickets/new")
    r = db_client.post("/tickets/deflect", data={"csrf_token": token, "article_id": HUGE, "title": "x"})
    assert r.status_code == 400 and "太大" in r.get_data(as_text=True)
    from portal.tickets.models import Deflection

    assert db.session.query(Deflection).count() == 0  # nothing half-written


def test_a_long_digit_string_is_ordinary_text(db_client):
    """A 20-digit invoice number typed into the search box is searched, not refused."""
    assert db_client.get("/", query_string={"q": "发票号码 12345678901234567890"}).status_code == 200


@pytest.mark.parametrize("q", ["密码\x00", "\x00"])
def test_text_no_database_can_keep_is_refused(db_client, q):
    assert db_client.get("/", query_string={"q": q}).status_code == 400
    r = db_client.get("/api/v1/search", query_string={"q": q})
    assert r.status_code == 400 and r.get_json()["error"]["status"] == 400


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"title": "\\ud800", "category": "操作指南"}',
        '{"title": "a\\u0000b", "category": "操作指南"}',
        '{"title": "打不开", "category": "操作指南", "category_id": ' + HUGE + "}",
        '{"title": ',
    ],
    ids=["nested", "lone-surrogate", "nul", "huge-int", "truncated"],
)
def test_json_a_service_could_not_store_is_a_400(db_client, body):
    r = db_client.post(
        "/api/v1/tickets", data=body, headers={**_bearer("zhangwei"), "Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"]["status"] == 400


def test_ordinary_json_still_files_a_ticket(db_client):
    r = db_client.post("/api/v1/tickets", headers=_bearer("zhangwei"), json={"title": "打不开", "category": "操作指南"})
    assert r.status_code == 201, r.get_json()


# --- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "goes_to"),
    [
        ("https://evil.example/", "/home"),
        ("//evil.example/", "/home"),
        ("/\\evil.example", "/home"),
        ("/x\r\nSet-Cookie: a=b", "/home"),
        ("/%0d%0aSet-Cookie:x=1", "/%0d%0aSet-Cookie:x=1"),  # still encoded: a harmless local path
        ("/kb/articles/1?q=密码", "/kb/articles/1?q=密码"),
    ],
)
def test_redirect_targets_stay_local_paths(target, goes_to):
    assert safety.safe_next(target, "/home") == goes_to


def test_deflection_redirects_only_to_local_paths(db_client, db_auth, world):
    db_auth.login("zhangwei")
    token = db_auth.csrf("/tickets/new")
    for url in ("/\\evil.example", "//evil.example", "/kb\r\nSet-Cookie: x=1"):
        r = db_client.post("/tickets/deflect", data={"csrf_token": token, "url": url, "title": "忘记密码"})
        assert r.status_code == 302 and r.headers["Location"] == "/", url
    faq = world["faq"].id
    r = db_client.post("/tickets/deflect", data={"csrf_token": token, "url": f"/kb/articles/{faq}", "title": "t"})
    assert r.headers["Location"].endswith(f"/kb/articles/{faq}")


def test_the_language_switch_returns_only_to_local_paths(db_client):
    for target, back in (
        ("/kb/articles/1", "/kb/articles/1"),
        ("/kb%0d%0aSet-Cookie:%20x=1", "/"),
        ("//evil.example", "/"),
    ):
        r = db_client.get(f"/lang/en?next={target}")
        assert r.status_code == 303 and r.headers["Location"] == back, target


# --- CSRF ---------------------------------------------------------------------------------------


def test_a_cookie_signed_write_needs_its_csrf_token_whatever_headers_come_with_it(db_client, db_auth):
    db_auth.login("zhangwei")
    body = {"title": "会话写入", "category": "操作指南"}
    r = db_client.post("/api/v1/tickets", json=body, headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf"
    r = db_client.post("/api/v1/tickets", json=body, headers={"X-CSRFToken": db_auth.csrf("/")})
    assert r.status_code == 201


def test_a_bearer_token_alone_needs_no_csrf_token(db_client):
    r = db_client.post(
        "/api/v1/tickets", json={"title": "令牌写入", "category": "操作指南"}, headers=_bearer("zhangwei")
    )
    assert r.status_code == 201
