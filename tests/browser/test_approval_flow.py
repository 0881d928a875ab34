"""Approvals in Chromium: an employee submits a 1,200,000 CNY procurement, sees the two-step fast
track before confirming, and both approvers approve from their to-do lists while the
requester's page follows the route live."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser
TITLE = "数据中心灾备机房建设"


def new_page(browser, width=1280):
    page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    return page


def approve_from_todo(browser, base, username, comment):
    page = new_page(browser)
    login(page, base, username)
    badge = page.locator("nav.main a[href='/approvals/'] .badge")
    expect(badge).to_be_visible()
    before = int(badge.inner_text())
    page.locator("nav.main a[href='/approvals/']").click()
    expect(page.locator(".tabs a[aria-current=page]")).to_contain_text("待办")
    row = page.locator("#approval-rows tr", has_text=TITLE)
    expect(row).to_contain_text("快速通道")
    row.locator("a").first.click()
    expect(page.locator("#route li.current")).to_contain_text(page.locator("header .account span").last.inner_text())
    shot(page, f"approval-{username}-decide")
    page.fill("#decide-comment", comment)
    page.locator("#decide button[value=approve]").click()
    expect(page.locator(".alert.success")).to_be_visible()
    page.goto(base + "/approvals/?box=todo")
    expect(page.locator("#approval-rows")).not_to_contain_text(TITLE)
    if before > 1:
        expect(page.locator("nav.main a[href='/approvals/'] .badge")).to_have_text(str(before - 1))
    else:
        expect(page.locator("nav.main a[href='/approvals/'] .badge")).to_have_count(0)
    page.context.close()


def test_fast_track_procurement_approved_by_both_levels(browser, live_server):
    employee = new_page(browser)
    login(employee, live_server, "zhangwei")
    employee.goto(live_server + "/approvals/new")
    employee.get_by_role("link", name=re.compile("采购申请")).click()
    expect(employee).to_have_url(re.compile(r"/approvals/new/procurement$"))
    employee.fill("#f-title", TITLE)
    employee.fill("#f-item", "灾备机房土建、配电与网络设备")
    employee.select_option("#f-category", "construction")
    employee.fill("#f-budget_code", "FIN-DR-2026")
    employee.fill("#f-amount", "1,200,000")
    employee.locator("#f-amount").blur()
    # the route panel follows the form while typing (htmx), before anything is stored
    expect(employee.locator("#route-preview")).to_contain_text("快速通道")
    employee.locator("button[value=preview]").click()
    preview = employee.locator("#route-preview")
    nodes = preview.locator("ol.route li")
    expect(nodes).to_have_count(2)
    expect(nodes.nth(0)).to_contain_text("蒋涛")
    expect(nodes.nth(0)).to_contain_text("业务主管")
    expect(nodes.nth(1)).to_contain_text("周海涛")
    expect(nodes.nth(1)).to_contain_text("分管领导")
    expect(preview).to_contain_text("工作日 24 小时")
    expect(employee.locator("#f-item")).to_have_value("灾备机房土建、配电与网络设备")  # nothing typed is lost
    shot(employee, "approval-new-route-preview")
    employee.locator("button[value=confirm]").click()
    expect(employee).to_have_url(re.compile(r"/approvals/\d+$"))
    expect(employee.locator(".alert.success")).to_contain_text("蒋涛")
    route = employee.locator("#route")
    expect(route.locator("li.current")).to_contain_text("蒋涛")
    expect(route.locator("li.node")).to_have_count(4)  # requester, two approvers, the end
    shot(employee, "approval-submitted")

    approve_from_todo(browser, live_server, "jiangtao", "同意，请按招标流程执行")
    # the requester's open page follows the route without a reload (htmx polls the panel)
    expect(route.locator("li.current")).to_contain_text("周海涛", timeout=25_000)
    expect(route.locator("li.approved")).to_contain_text("同意，请按招标流程执行")

    approve_from_todo(browser, live_server, "zhouhaitao", "同意")
    employee.reload()
    expect(employee.locator(".meta .state")).to_have_text("已通过")
    expect(employee.locator("#route li.current")).to_have_count(0)
    expect(employee.locator("#history")).to_contain_text("同意，请按招标流程执行")
    shot(employee, "approval-approved")
    employee.goto(live_server + "/notifications/")
    expect(employee.locator("ul.notes li").first).to_contain_text(TITLE)
    employee.goto(live_server + "/approvals/?box=done")
    expect(employee.locator("#approval-rows")).to_contain_text(TITLE)


def test_route_page_on_a_phone(browser, live_server):
    phone = new_page(browser, width=375)
    login(phone, live_server, "zhouhaitao")
    phone.goto(live_server + "/approvals/?box=todo")
    phone.locator("#approval-rows a").first.click()
    expect(phone.locator("#route li.current")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    shot(phone, "approval-phone")
