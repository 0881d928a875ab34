"""An employee types a problem, sees results appear, opens one and says it helped."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_active_search_then_open_a_result_and_vote(page, live_server):
    page.goto(live_server + "/")
    box = page.locator("input[name=q]")
    expect(box).to_be_focused()
    box.press_sequentially("忘记密码", delay=60)  # no Enter: htmx searches as the user types
    first = page.locator("#search-results ol.hits li h3 a").first
    expect(first).to_contain_text("密码")
    expect(page.locator("#search-results mark").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=%E5%BF%98"))
    shot(page, "search-results")
    first.click()
    expect(page.locator("h1")).to_contain_text("密码")
    expect(page.locator("#related li a").first).to_be_visible()
    page.click("#vote button[value=yes]")
    expect(page.locator("#vote")).to_contain_text("感谢")
    shot(page, "article")


def test_back_after_a_search_restores_the_results_and_the_box(page, live_server):
    page.goto(live_server + "/")
    box = page.locator("input[name=q]")
    hits = page.locator("#search-results ol.hits li h3 a")
    box.press_sequentially("忘记密码", delay=60)
    expect(page).to_have_url(re.compile(r"\?q=%E5%BF%98%E8%AE%B0%E5%AF%86%E7%A0%81$"))
    expect(hits.first).to_contain_text("密码")
    first_search = hits.first.inner_text()
    box.press("Control+a")
    box.press_sequentially("报销", delay=60)  # a later search, with its completion list open
    expect(page).to_have_url(re.compile(r"\?q=%E6%8A%A5%E9%94%80$"))
    expect(hits.first).to_contain_text("报销")
    expect(page.locator("#suggestions")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=%E5%BF%98%E8%AE%B0%E5%AF%86%E7%A0%81$"))
    expect(box).to_have_value("忘记密码")  # the box says what the results are for
    expect(hits.first).to_have_text(first_search)
    expect(page.locator("#suggestions")).to_be_hidden()  # and no list of the later query
    expect(box).to_have_attribute("aria-expanded", "false")
    page.go_back()
    expect(page).to_have_url(live_server + "/")
    expect(box).to_have_value("")
    page.go_forward()
    expect(box).to_have_value("忘记密码")
    page.go_forward()
    expect(box).to_have_value("报销")
    expect(hits.first).to_contain_text("报销")


def test_search_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/")
    page.fill("input[name=q]", "报销")
    page.click("form.searchbar button[type=submit]")
    expect(page.locator("#search-results ol.hits li").first).to_be_visible()
    page.click("#search-results .facets a:has-text('操作指南')")
    expect(page.locator(".facets a.active").last).to_contain_text("操作指南")
    context.close()


def test_empty_state_offers_next_steps(page, live_server):
    page.goto(live_server + "/?q=zzqxv")
    expect(page.locator("#search-results .empty")).to_be_visible()
    expect(page.locator("#search-results .empty a").first).to_be_visible()


def test_slash_focuses_the_search_box(page, live_server):
    page.goto(live_server + "/kb/manuals/1")
    page.keyboard.press("/")
    expect(page.locator("input[type=search]").first).to_be_focused()


@pytest.mark.parametrize("path", ["/", "/?q=登录", "/kb/articles/1", "/kb/manuals/1"])
def test_pages_fit_a_phone_screen(browser, live_server, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(live_server + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    shot(page, "mobile" + path.replace("/", "_").replace("?", "_"))
    context.close()


def test_curator_writes_an_article_that_search_then_finds(page, live_server, browser):
    """Written, submitted for review, published by a second person, then found."""
    login(page, live_server, "chenjing")
    page.goto(live_server + "/kb/articles/new")
    page.fill("#title", "视频会议室投屏无信号")
    page.select_option("#category_id", label="操作指南")
    page.fill("#body", "1. 检查 **HDMI** 线\n2. 按遥控器 `信号源`")
    expect(page.locator("#preview strong")).to_have_text("HDMI")  # live preview through htmx
    page.click("#article-form button[type=submit]")
    expect(page.locator(".alert.success")).to_be_visible()
    page.click("button[data-move=submit]")  # a draft until someone else publishes it
    expect(page.locator("#review")).to_have_attribute("data-status", "review")
    reviewer = browser.new_context(locale="zh-CN").new_page()
    login(reviewer, live_server, "admin")
    reviewer.goto(page.url)
    reviewer.click("button[data-move=publish]")
    expect(reviewer.locator(".alert.success")).to_be_visible()
    reviewer.context.close()
    page.goto(live_server + "/")
    page.locator("input[name=q]").press_sequentially("投屏无信号", delay=40)
    expect(page.locator("#search-results ol.hits li h3 a").first).to_have_text("视频会议室投屏无信号")
