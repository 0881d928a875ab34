"""Per-address abuse limits: sign-in, password reset, search, completion and the API as a whole;
the 429 page and JSON with Retry-After; the memory and the Redis storage; behind a proxy.

The suite runs with the limits off (tests/conftest.make_config); every app here switches them on
with tiny allowances. The in-memory storage reads `time.time()` through its module, so the fake
clock below moves its windows without waiting.
"""

from __future__ import annotations

import time

import limits.storage.memory
import pytest
from flask import Blueprint

import portal.web.limits as portal_limits
from portal import create_app
from portal.extensions import db
from portal.web.limits import limiter
from tests import factories as f
from tests.conftest import csrf_from, make_config, rolled_back_app

TINY = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_SIGN_IN": "3 per minute",
    "RATELIMIT_PASSWORD_RESET": "2 per minute",
    "RATELIMIT_SEARCH": "4 per minute",
    "RATELIMIT_SUGGEST": "5 per minute",
    "RATELIMIT_API": "8 per minute",
    "RATELIMIT_SEARCH_LOG": "3 per minute",
}
WRONG = "Wrong#Pass2026"


class FakeClock:
    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(portal_limits, "time", fake)
    return fake


reset_bp = Blueprint("reset_probe", __name__)


@reset_bp.route("/probe/password-reset", methods=["GET", "POST"])
@portal_limits.password_reset
def reset_probe():
    return "sent"  # stands in for the password helper's reset-request endpoint


@pytest.fixture
def limited(tmp_path, schema_db, clock):
    """A rolled-back portal with tiny limits in memory, plus a stand-in reset endpoint."""
    with rolled_back_app(tmp_path, schema_db, **TINY, WTF_CSRF_ENABLED=False) as app:
        app.register_blueprint(reset_bp)
        yield app


def client_at(app, address: str):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def sign_in(c, username: str, password: str):
    return c.post("/login", data={"username": username, "password": password})


# --- sign-in ------------------------------------------------------------------------------------


def test_refused_sign_ins_trip_the_limit_and_it_recovers(limited, clock):
    f.user(username="zhangwei")
    c = client_at(limited, "10.0.0.1")
    assert [sign_in(c, "nobody", WRONG).status_code for _ in range(3)] == [422, 422, 422]
    page = sign_in(c, "zhangwei", f.PASSWORD)  # even the right password waits
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "60"
    assert c.get("/login").status_code == 200  # the form itself stays open
    clock.advance(30)
    assert sign_in(c, "zhangwei", f.PASSWORD).headers["Retry-After"] == "30"
    clock.advance(31)
    assert sign_in(c, "zhangwei", f.PASSWORD).status_code == 303


def test_successful_sign_ins_do_not_count(limited):
    f.user(username="zhangwei")
    c = client_at(limited, "10.0.0.1")
    assert {sign_in(c, "zhangwei", f.PASSWORD).status_code for _ in range(6)} == {303}
    assert [sign_in(c, "nobody", WRONG).status_code for _ in range(4)] == [422, 422, 422, 429]


def test_each_address_has_its_own_allowance(limited):
    first, second = client_at(limited, "10.0.0.1"), client_at(limited, "10.0.0.2")
    for _ in range(3):
        sign_in(first, "nobody", WRONG)
    assert sign_in(first, "nobody", WRONG).status_code == 429
    assert sign_in(second, "nobody", WRONG).status_code == 422


def test_the_429_page_is_the_sites_page_in_the_users_language(limited):
    c = client_at(limited, "10.0.0.1")
    for _ in range(3):
        sign_in(c, "nobody", WRONG)
    page = sign_in(c, "nobody", WRONG)
    html = page.get_data(as_text=True)
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert '<html lang="zh-CN">' in html and "请求过于频繁，请稍后再试。" in html
    assert 'class="site"' in html  # the site's header: the page extends base.html
    c.set_cookie("portal_lang", "en")
    html = sign_in(c, "nobody", WRONG).get_data(as_text=True)
    assert "Too many requests. Please wait a moment. Try again in 60 seconds." in html


def test_a_long_wait_is_said_in_minutes(tmp_path, schema_db, clock):
    with rolled_back_app(tmp_path, schema_db, **{**TINY, "RATELIMIT_SIGN_IN": "1 per hour"}) as app:
        c = client_at(app, "10.0.0.1")
        c.set_cookie("portal_lang", "en")
        token = csrf_from(c.get("/login").get_data(as_text=True))
        c.post("/login", data={"username": "nobody", "password": WRONG, "csrf_token": token})
        page = c.post("/login", data={"username": "nobody", "password": WRONG, "csrf_token": token})
        assert page.status_code == 429 and page.headers["Retry-After"] == "3600"
        assert "Try again in 60 minutes." in page.get_data(as_text=True)


# --- password reset -----------------------------------------------------------------------------


def test_password_reset_requests_are_limited_per_address(limited, clock):
    c, other = client_at(limited, "10.0.0.1"), client_at(limited, "10.0.0.2")
    assert [c.post("/probe/password-reset").status_code for _ in range(3)] == [200, 200, 429]
    assert c.get("/probe/password-reset").status_code == 200  # only requests (POST) count
    assert other.post("/probe/password-reset").status_code == 200
    clock.advance(61)
    assert c.post("/probe/password-reset").status_code == 200


# --- search, completion, the API ----------------------------------------------------------------


def test_the_search_page_and_the_search_api_share_one_allowance(limited, clock):
    c = client_at(limited, "10.0.0.1")
    assert c.get("/", query_string={"q": "报销"}).status_code == 200
    assert c.get("/", query_string={"q": "密码"}).status_code == 200
    assert c.get("/api/v1/search", query_string={"q": "报销"}).status_code == 200
    assert c.get("/api/v1/search", query_string={"q": "密码"}).status_code == 200
    page = c.get("/", query_string={"q": "发票"})
    assert page.status_code == 429 and page.mimetype == "text/html" and page.headers["Retry-After"] == "60"
    api = c.get("/api/v1/search", query_string={"q": "发票"})
    assert api.status_code == 429 and api.headers["Retry-After"] == "60"
    error = api.get_json()["error"]
    assert error["status"] == 429 and error["code"] == "rate_limited" and "60" in error["message"]
    assert c.get("/").status_code == 200  # the home page without a query is no search
    assert client_at(limited, "10.0.0.2").get("/", query_string={"q": "发票"}).status_code == 200
    clock.advance(61)
    assert c.get("/", query_string={"q": "发票"}).status_code == 200


def test_completion_has_its_own_allowance_for_web_and_api(limited):
    c = client_at(limited, "10.0.0.1")
    codes = [c.get("/search/suggest", query_string={"q": "bx"}).status_code for _ in range(3)]
    codes += [c.get("/api/v1/suggest", query_string={"q": "bx"}).status_code for _ in range(3)]
    assert codes == [200] * 5 + [429]
    assert c.get("/", query_string={"q": "报销"}).status_code == 200  # the search allowance is apart


def test_the_api_as_a_whole_is_limited_per_address(limited, clock):
    c = client_at(limited, "10.0.0.1")
    codes = [c.get("/api/v1/me").status_code for _ in range(6)]
    codes += [c.get("/api/v1/search", query_string={"q": "报销"}).status_code for _ in range(2)]
    assert codes == [401] * 6 + [200] * 2
    refused = c.get("/api/v1/openapi.json")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert c.get("/api/v1/search", query_string={"q": "报销"}).status_code == 429
    assert client_at(limited, "10.0.0.2").get("/api/v1/me").status_code == 401
    clock.advance(61)
    assert c.get("/api/v1/openapi.json").status_code == 200


def test_with_the_limits_off_nothing_is_refused(tmp_path, schema_db):
    with rolled_back_app(tmp_path, schema_db, **{**TINY, "RATELIMIT_ENABLED": False}) as app:
        c = client_at(app, "10.0.0.1")
        assert {c.get("/api/v1/suggest", query_string={"q": "bx"}).status_code for _ in range(12)} == {200}


def test_a_mistyped_limit_stops_the_start(tmp_path):
    with pytest.raises(ValueError):
        create_app(make_config(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_SEARCH="lots per minute"))


# --- behind a proxy -----------------------------------------------------------------------------


def test_behind_one_proxy_the_forwarded_address_counts(tmp_path, schema_db, clock):
    with rolled_back_app(tmp_path, schema_db, **TINY, PROXY_FIX=1) as app:
        proxy = client_at(app, "192.168.0.9")  # every request arrives from the proxy
        alice, bob = {"X-Forwarded-For": "10.1.1.1"}, {"X-Forwarded-For": "10.2.2.2"}
        for _ in range(4):
            proxy.get("/", query_string={"q": "报销"}, headers=alice)
        assert proxy.get("/", query_string={"q": "报销"}, headers=alice).status_code == 429
        assert proxy.get("/", query_string={"q": "报销"}, headers=bob).status_code == 200
        # a client cannot pick its address: the proxy appends the real one, which is what counts
        spoofed = {"X-Forwarded-For": "10.9.9.9, 10.1.1.1"}
        assert proxy.get("/", query_string={"q": "报销"}, headers=spoofed).status_code == 429


def test_without_proxy_fix_a_forwarded_header_changes_nothing(limited):
    c = client_at(limited, "10.0.0.1")
    for n in range(4):
        c.get("/", query_string={"q": "报销"}, headers={"X-Forwarded-For": f"10.3.3.{n}"})
    assert c.get("/", query_string={"q": "报销"}, headers={"X-Forwarded-For": "10.4.4.4"}).status_code == 429


def test_a_negative_proxy_count_is_refused(tmp_path):
    with pytest.raises(ValueError):
        create_app(make_config(tmp_path, PROXY_FIX=-1))


# --- Redis --------------------------------------------------------------------------------------


def test_redis_url_alone_selects_redis_for_the_limits(tmp_path, redis_url):
    assert create_app(make_config(tmp_path, REDIS_URL=redis_url)).config["RATELIMIT_STORAGE_URI"] == redis_url
    assert create_app(make_config(tmp_path / "b")).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_limits_in_redis_are_shared_by_workers_and_recover(tmp_path, schema_db, redis_url):
    import redis

    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    config = {**TINY, "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_SUGGEST": "3 per 2 seconds"}
    with rolled_back_app(tmp_path, schema_db, **config) as worker:
        c = client_at(worker, "10.0.0.1")
        assert [c.get("/search/suggest", query_string={"q": "bx"}).status_code for _ in range(3)] == [200] * 3
        assert any(b"suggest" in key for key in store.keys("*")), "the counter lives in Redis"
        # a second worker process: its own app, storage object and connections, the same Redis
        second = create_app(make_config(tmp_path / "second", **config))
        with second.app_context():
            db.create_all()
        other = client_at(second, "10.0.0.1")
        refused = other.get("/search/suggest", query_string={"q": "bx"})
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 2
        assert client_at(second, "10.0.0.2").get("/search/suggest", query_string={"q": "bx"}).status_code == 200
        deadline = time.monotonic() + 5
        while other.get("/search/suggest", query_string={"q": "bx"}).status_code == 429:
            assert time.monotonic() < deadline, "the window did not pass"
            time.sleep(0.2)
        with second.app_context():
            db.session.remove()
            db.engine.dispose()
    store.close()


def test_while_redis_is_unreachable_the_limits_go_on_in_memory(tmp_path, schema_db, clock):
    from tests.conftest import _free_port

    nowhere = f"redis://127.0.0.1:{_free_port()}/0"
    with rolled_back_app(tmp_path, schema_db, **TINY, RATELIMIT_STORAGE_URI=nowhere) as app:
        c = client_at(app, "10.0.0.1")
        codes = [c.get("/", query_string={"q": "报销"}).status_code for _ in range(5)]
        assert codes == [200] * 4 + [429]
        assert limiter._storage_dead  # it fell back, and says so in the log


def test_a_signed_in_client_is_counted_by_the_limits_per_address_too(limited):
    f.user(username="zhangwei")
    c = client_at(limited, "10.0.0.1")
    assert sign_in(c, "zhangwei", f.PASSWORD).status_code == 303
    assert [c.get("/", query_string={"q": "报销"}).status_code for _ in range(5)] == [200] * 4 + [429]


def test_the_api_document_describes_the_429(limited):
    doc = client_at(limited, "10.0.0.1").get("/api/v1/openapi.json").get_json()
    answers = [op["responses"] for ops in doc["paths"].values() for op in ops.values()]
    assert answers and all("Retry-After" in r["429"]["headers"] for r in answers)


def test_wrong_second_factor_codes_share_the_sign_in_allowance(tmp_path, schema_db, clock):
    """A right password, then wrong codes from one address: refused like wrong passwords."""
    from datetime import datetime

    from tests.auth.two_factor_helpers import enrol

    with rolled_back_app(tmp_path, schema_db, **TINY) as app:
        zhang = f.user("zhangwei")
        enrol(zhang, datetime(2027, 3, 1, 1, 0))
        db.session.commit()
        c = client_at(app, "10.0.0.9")
        token = csrf_from(c.get("/login").get_data(as_text=True))
        r = c.post("/login", data={"username": "zhangwei", "password": f.PASSWORD, "csrf_token": token})
        assert r.headers["Location"].endswith("/login/verify")
        token = csrf_from(c.get("/login/verify").get_data(as_text=True))
        codes = [c.post("/login/verify", data={"code": "000000", "csrf_token": token}).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]
