"""The ticket desk in Chromium: suggestions while typing, filing, support answers and resolves,
the requester confirms and rates."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_file_answer_resolve_and_rate(browser, live_server):
    employee = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    employee.set_default_timeout(10_000)
    login(employee, live_server, "zhangwei")
    employee.goto(live_server + "/tickets/new")
    employee.locator("#title").press_sequentially("昨天改的OA密码忘了", delay=60)
    suggestion = employee.locator("#deflection ol.deflect li").first
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("密码")
    shot(employee, "ticket-new-suggestions")
    # not solved by the suggestion: file the ticket
    employee.fill("#description", "昨天改过密码，今天登录提示密码错误，找回密码收不到验证码。")
    employee.locator("#category_id").select_option(label="登录问题")
    employee.locator("button[type=submit].primary").click()
    expect(employee).to_have_url(re.compile(r"/tickets/\d+$"))
    expect(employee.locator(".alert.success")).to_be_visible()
    expect(employee.locator("#status")).to_be_visible()
    ticket_url = employee.url

    support = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    support.set_default_timeout(10_000)
    login(support, live_server, "lina")
    support.goto(live_server + "/tickets/queue")
    support.fill(".filters input[name=q]", "昨天改的OA密码忘了")
    support.locator(".filters input[name=q]").press("Enter")  # htmx swaps the table in
    expect(support.locator("#queue tbody tr")).to_have_count(1)
    support.locator("#queue a", has_text="昨天改的OA密码忘了").first.click()
    expect(support).to_have_url(ticket_url)
    support.locator("#reply .quick button").first.click()  # quick reply "收到"
    expect(support.locator("#reply-body")).not_to_have_value("")
    support.locator("#reply button[type=submit]").click()
    expect(support.locator("#ledger")).to_contain_text("已收到")
    support.locator("#actions details:has(button[value=resolve]) summary").click()
    support.fill("#body-resolve", "已在统一身份平台重置密码并解绑旧手机号，请用新密码登录。")
    support.locator("#actions button[value=resolve]").click()
    expect(support.locator(".state-resolved").first).to_be_visible()
    shot(support, "ticket-support-resolved")

    employee.goto(ticket_url)
    expect(employee.locator("#confirm")).to_be_visible()
    expect(employee.locator(".solution")).to_contain_text("重置密码")
    employee.locator("#confirm input[name=rating][value='5']").check()
    employee.fill("#comment", "处理很快，谢谢！")
    employee.locator("#confirm button[type=submit].primary").click()
    expect(employee.locator(".state-closed").first).to_be_visible()
    expect(employee.locator("#ledger")).to_contain_text("处理很快")
    shot(employee, "ticket-rated")
    employee.context.close()
    support.context.close()


def test_ticket_pages_fit_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    login(page, live_server, "lina")
    for path in ("/tickets/new", "/tickets/", "/tickets/queue"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        shot(page, "mobile" + path.replace("/", "_"))
    context.close()
