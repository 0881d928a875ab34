"""Browser fixtures: the demo portal on a real HTTP port, driven in Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from tests.conftest import make_config

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextlib.contextmanager
def serve_demo(tmp: Path, demo_template: Path):
    """A copy of the demo portal served on a free port; yields its base URL."""
    shutil.copytree(demo_template / "instance", tmp / "instance")
    shutil.copytree(demo_template / "index", tmp / "index")
    app = create_app(make_config(tmp))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(tmp_path, demo_template):
    with serve_demo(tmp_path, demo_template) as base:
        yield base


@pytest.fixture(scope="module")
def module_server(tmp_path_factory, demo_template):
    """One demo portal for a whole module of read-mostly walks (the phone and accessibility pass)."""
    with serve_demo(tmp_path_factory.mktemp("live"), demo_template) as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "Demo@2026")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
