"""Sign-in security in Chromium: the lockout message with its time, and a signed-out browser's
copied cookies no longer open anything."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def test_five_wrong_passwords_lock_and_the_page_says_until_when(live_server, page):
    for _i in range(5):
        page.goto(f"{live_server}/login")
        page.fill("#username", "zhangwei")
        page.fill("#password", "Wrong@2026")
        page.click("button[type=submit]")
    message = page.locator("[role=alert]").first
    expect(message).to_contain_text("锁定")
    expect(message).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    assert page.locator("#username").input_value() == "zhangwei"  # what was typed stays
    shot(page, "security-lockout-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "security-lockout-375")
    # the right password is refused while the lock lasts
    page.fill("#password", "Demo@2026")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]").first).to_contain_text("锁定")
    assert page.url.endswith("/login")


def test_cookies_copied_before_sign_out_open_nothing_after(live_server, page, browser):
    login(page, live_server, "zhangwei")
    cookies = page.context.cookies()
    assert {c["name"] for c in cookies} >= {"session"}
    page.click("form[action='/logout'] button")
    expect(page.locator("form[action='/logout']")).to_have_count(0)
    page.goto(f"{live_server}/tickets/")
    assert "/login" in page.url
    thief = browser.new_context(locale="zh-CN")
    thief.add_cookies(cookies)
    other = thief.new_page()
    other.goto(f"{live_server}/tickets/")
    assert "/login" in other.url
    assert other.request.get(f"{live_server}/api/v1/me").status == 401
    thief.close()
