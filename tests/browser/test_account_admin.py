"""Accounts administration in Chromium at phone width: the list, an account's page, closing an
account with its hand-over (the leaver's open browser is signed out), the org chart and an import's
dry run — none of them wider than the screen."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login, shot

PHONE = {"width": 375, "height": 800}


def fits(page) -> None:
    """Nothing sticks out sideways: the page is no wider than the phone's screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_closing_an_engineers_account_at_phone_width(live_server, page, browser):
    leaver = browser.new_context(locale="zh-CN")
    engineer = leaver.new_page()
    login(engineer, live_server, "wangqiang")

    page.set_viewport_size(PHONE)
    login(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users")
    fits(page)
    shot(page, "accounts-users-375")
    page.fill("#users-q", "wangqiang")
    page.press("#users-q", "Enter")
    page.locator("#user-rows a", has_text="王强").first.click()
    expect(page.locator("h1")).to_contain_text("王强")
    fits(page)
    shot(page, "accounts-user-375")

    page.locator("a.btn.danger").click()
    expect(page.locator("h1")).to_contain_text("王强")
    fits(page)
    shot(page, "accounts-close-375")
    page.click("form.stacked button[type=submit]")  # no successor named
    expect(page.locator(".field-error").first).to_be_visible()
    page.fill("#successor", "linhui")
    page.fill("#note", "离职交接")
    page.click("form.stacked button[type=submit]")
    expect(page.locator(".alert.success")).to_be_visible()
    expect(page.locator(".tag.closed").first).to_be_visible()
    shot(page, "accounts-closed-375")

    engineer.goto(f"{live_server}/tickets/queue")
    assert "/login" in engineer.url  # the leaver's browser is signed out
    leaver.close()


def test_the_org_chart_and_an_import_dry_run_at_phone_width(live_server, page, tmp_path):
    page.set_viewport_size(PHONE)
    login(page, live_server, "admin")
    page.goto(f"{live_server}/admin/org-chart")
    expect(page.locator("ul.org").first).to_be_visible()
    fits(page)
    shot(page, "accounts-org-chart-375")

    file = tmp_path / "hr.csv"
    file.write_bytes("用户名,姓名,邮箱,部门\nnewbie,新人,bad-mail,finance\nzhangwei,重名,,市场部\n".encode("gbk"))
    page.goto(f"{live_server}/admin/users/import")
    page.set_input_files("#import-file", str(file))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("#import-problems")).to_be_visible()
    expect(page.locator("#import-problems tbody tr")).to_have_count(3)
    fits(page)
    shot(page, "accounts-import-375")
