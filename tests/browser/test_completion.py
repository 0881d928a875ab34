"""Completion while typing, chosen with the keyboard; did-you-mean on the results page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_pinyin_initials_suggest_and_arrow_keys_choose(page, live_server):
    page.goto(live_server + "/")
    box = page.locator("#q")
    box.press_sequentially("bx", delay=80)
    options = page.locator("#suggestions [role=option]")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_contain_text("报销")
    shot(page, "completion")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    chosen = options.first.get_attribute("data-value")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server}/?q=" + __import__("urllib.parse").parse.quote(chosen))
    expect(page.locator("#search-results ol.hits li").first).to_be_visible()


def test_escape_closes_the_suggestions(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").press_sequentially("mima", delay=80)
    expect(page.locator("#suggestions")).to_be_visible()
    page.locator("#q").press("Escape")
    expect(page.locator("#suggestions")).to_be_hidden()


def test_pinyin_query_says_what_was_searched(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").press_sequentially("denglu mima", delay=50)
    expect(page.locator("#did-you-mean")).to_contain_text("登录密码")
    expect(page.locator("#search-results ol.hits li h3").first).to_contain_text("密码")
    page.locator("#q").press("Escape")
    shot(page, "did-you-mean")
    page.click("#did-you-mean a")
    expect(page.locator("#did-you-mean")).to_have_count(0)
