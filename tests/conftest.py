"""Fixtures: a real SQLite database and a real Whoosh index per test, demo data from a template."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db

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
