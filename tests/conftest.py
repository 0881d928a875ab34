"""Fixtures: a real SQLite database and a real Whoosh index per test.

Two worlds. `db_app` / `db_client` / `db_auth`: an empty schema (created once per session) in
one transaction rolled back after each test; tests build what they need with `tests.factories`.
`demo_app` / `client` / `auth`: a copy of the demo database and index, for tests about the demo
data itself and for the browser walk-throughs. `app`: an empty database of its own per test, for
tests that need real commits (several connections or threads, migrations).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from portal import create_app
from portal.extensions import db
from tests.mailbox import mailbox, smtp_server  # noqa: F401  (a real SMTP server: tests/mailbox.py)

FAST_HASH = "pbkdf2:sha256:1000"  # tests create many accounts; production keeps werkzeug's scrypt


def make_config(tmp: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'instance' / 'portal.db'}",
        "SEARCH_INDEX_DIR": str(tmp / "index"),
        "JOBS_IMMEDIATE": True,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "SECRET_KEY": "test-secret",
        "SECURE_COOKIES": False,  # the test client speaks plain HTTP
        # the suite signs in and searches from 127.0.0.1 thousands of times; tests of the abuse
        # limits switch them on for their own app (tests/web/test_limits.py)
        "RATELIMIT_ENABLED": False,
        # every account of the suite signs in for the first time; tests/auth/test_two_factor* turn it on
        "SIGNIN_NEW_NETWORK_CHECK": False,
        **extra,
    }


@pytest.fixture(scope="session", autouse=True)
def _catalogs():
    from portal.web.catalogs import compile_catalogs

    compile_catalogs()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """Build the demo database and index once; tests get a copy."""
    from portal.demo import loader
    from portal.search import services

    tmp = tmp_path_factory.mktemp("demo-template")
    app = create_app(make_config(tmp))
    with app.app_context():
        db.create_all()
        loader.load_demo(echo=lambda *_: None)
        services.reindex()
        db.session.remove()
        db.engine.dispose()
    return tmp


@pytest.fixture
def app(tmp_path):
    """An empty portal: schema and seeded categories, no demo data."""
    from portal.demo import loader

    app = create_app(make_config(tmp_path))
    with app.app_context():
        db.create_all()
        loader.seed_reference_data()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_app(tmp_path, demo_template):
    """A portal with the demo organisation, FAQs, manual and a built index (copied per test)."""
    shutil.copytree(demo_template / "instance", tmp_path / "instance")
    shutil.copytree(demo_template / "index", tmp_path / "index")
    app = create_app(make_config(tmp_path))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def runner(demo_app):
    return demo_app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1) or m.group(2)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "Demo@2026"):
        page = self.client.get("/login").get_data(as_text=True)
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)}
        )

    def logout(self):
        page = self.client.get("/").get_data(as_text=True)
        return self.client.post("/logout", data={"csrf_token": csrf_from(page)})

    def csrf(self, path: str = "/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(client):
    return Auth(client)


HTMX = {"HX-Request": "true"}


# --- a shared schema, one rolled-back transaction per test ---------------------------------------


@pytest.fixture(scope="session")
def schema_db(tmp_path_factory) -> str:
    """The schema, created once per test session in one SQLite file; tests never commit to it."""
    tmp = tmp_path_factory.mktemp("schema")
    app = create_app(make_config(tmp))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return app.config["SQLALCHEMY_DATABASE_URI"]


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session always picks the app's engine; this one uses the test's
    connection (its `bind`), so every session of the test shares the one open transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


class IsolatedClient(FlaskClient):
    """Each request runs as in production: in its own app context (own `g`, own session) even
    though the test holds one open. The test's session is flushed first (the request sees what
    the test made) and expired after (the test sees what the request changed). Keeping the
    last request's context (`with client:`) does not work across that boundary."""

    def open(self, *args, **kwargs):
        outer = db.session() if has_app_context() else None
        if outer is not None:
            outer.flush()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            if outer is not None:
                outer.expire_all()


def _reset_search_caches(uri: str) -> None:
    """Caches keyed by the database URI would outlive the rolled-back rows (every test shares
    the URI): the next test starts from what its own transaction holds."""
    from portal.search import completion
    from portal.search.semantic import VECTORS
    from portal.search.tuning import CACHE

    completion.invalidate()
    VECTORS.forget(uri)
    CACHE._tuning.pop(uri, None)
    CACHE.invalidate()


@pytest.fixture
def db_app(tmp_path, schema_db):
    """An empty portal on the shared schema, inside one transaction that is rolled back after
    the test. Services commit as usual; in the test their commits only release savepoints
    (join_transaction_mode="create_savepoint"). The search index is a fresh, empty directory
    (the index is not transactional). The test body runs in an app context, so factories and
    `db.session` work without a `with` block."""
    with rolled_back_app(tmp_path, schema_db) as app:
        yield app


@contextlib.contextmanager
def rolled_back_app(tmp_path: Path, schema_db: str, **extra):
    """`db_app` for any scope (a module-scoped world passes a directory of its own), with
    configuration of the test's own (`extra`) for fixtures that need it."""
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=schema_db, **extra))
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    engine = db.engine
    # pysqlite's own transaction handling breaks SAVEPOINT: let SQLAlchemy emit BEGIN itself.
    event.listen(engine, "connect", _sqlite_autocommit_driver)
    event.listen(engine, "begin", _sqlite_begin)
    connection = engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"class_": _BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    _reset_search_caches(schema_db)
    try:
        yield app
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        engine.dispose()
        _reset_search_caches(schema_db)
        ctx.pop()


def _sqlite_autocommit_driver(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None


def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


@pytest.fixture
def session(db_app):
    """The test's database session (inside the rolled-back transaction)."""
    return db.session


@pytest.fixture
def db_client(db_app):
    return db_app.test_client()


@pytest.fixture
def db_auth(db_client):
    return Auth(db_client)


# --- a real Redis server ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """A throwaway redis-server (Debian's `redis-server`, see scripts/system-deps.sh) on
    PORTAL_TEST_REDIS_PORT or a free port, nothing saved to disk; stopped after the session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run scripts/system-deps.sh (Debian package redis-server)")
    port = int(os.environ.get("PORTAL_TEST_REDIS_PORT") or _free_port())
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    try:
        for _ in range(100):
            if server.poll() is not None:
                pytest.fail(f"redis-server exited: {server.stdout.read().decode(errors='replace')}")
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not answer on port {port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (Playwright's sync API allows one at a time): the browser
    walk-throughs and the XSS suite share it."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
