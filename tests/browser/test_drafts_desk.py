"""The drafts desk in Chromium on the demo, at desk width and phone width: a curator finds the
demo's ticket drafts from the navigation with each ticket's solution beside its draft (under it on a
phone), filters them, submits one; an administrator sends the waiting one back with a comment and
publishes the other; the curator compares two versions of an article on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_drafts_desk_review_and_versions(live_server, page, browser):
    page.set_viewport_size(DESK)
    login(page, live_server, "chenjing")
    page.click("#nav-drafts")
    expect(page).to_have_url(f"{live_server}/kb/drafts")
    drafts = page.locator("li.draft")
    expect(drafts).to_have_count(3)
    expect(drafts.first).to_have_attribute("data-status", "review")  # waiting for review comes first
    expect(page.locator("#nav-drafts .badge")).to_have_text("1")
    first = drafts.first
    main, beside = first.locator(".draft-main").bounding_box(), first.locator(".ticket-solution").bounding_box()
    assert beside["x"] > main["x"] + main["width"] - 1 and abs(beside["y"] - main["y"]) < 40  # side by side
    fits(page)
    shot(page, "kb-drafts-desk-1280")

    page.select_option("#draft-filters select[name=origin]", "query")  # htmx swaps the list
    expect(page.locator("#drafts-empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/kb/drafts\?origin=query"))  # the filter is in the history
    page.select_option("#draft-filters select[name=origin]", "ticket")
    expect(page.locator("li.draft")).to_have_count(3)

    waiting_id = page.locator("li.draft").first.get_attribute("data-article")
    page.locator("li.draft").first.locator("a.btn.primary").click()
    expect(page.locator("#review")).to_have_attribute("data-status", "review")
    expect(page.locator("#ticket-solution")).to_be_visible()
    expect(page.locator("#review-waiting")).to_be_visible()  # 陈静 submitted it: someone else reviews
    shot(page, "kb-review-waiting-1280")

    page.goto(f"{live_server}/kb/drafts?status=draft")
    other_id = page.locator("li.draft").first.get_attribute("data-article")
    page.locator("li.draft").first.locator("a.btn.primary").click()
    page.click("button[data-move=submit]")
    expect(page.locator(".alert.success")).to_be_visible()
    expect(page.locator("#review")).to_have_attribute("data-status", "review")

    admin_context = browser.new_context(locale="zh-CN", viewport=DESK)
    admin = admin_context.new_page()
    admin.set_default_timeout(10_000)
    login(admin, live_server, "admin")
    admin.goto(f"{live_server}/kb/articles/{waiting_id}/review")
    admin.click("button[data-move=send_back]")  # no comment yet: refused beside the field
    expect(admin.locator("#note-error")).to_be_visible()
    admin.fill("#note", "第二步请补充截图，并写明在哪个菜单里操作。")
    admin.click("button[data-move=send_back]")
    expect(admin).to_have_url(f"{live_server}/kb/drafts")
    expect(admin.locator(f"#draft-{waiting_id} [data-sent-back]")).to_contain_text("补充截图")
    admin.goto(f"{live_server}/kb/articles/{other_id}/review")
    admin.click("button[data-move=publish]")
    expect(admin.locator(f"#draft-{other_id}")).to_have_count(0)
    shot(admin, "kb-drafts-after-review-1280")
    admin_context.close()

    # the curator edits the published article, then reads the change on a phone
    page.goto(f"{live_server}/kb/articles/{other_id}/edit")
    body = page.locator("#body")
    lines = body.input_value().split("\n")
    lines[0] += "（已核实）"  # a changed line, marked inside
    body.fill("\n".join(lines) + "\n\n如仍无法解决，请提交工单并附上截图。")  # and an added one
    page.click("#article-form button[type=submit]")
    expect(page.locator(".alert.success")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/kb/drafts")
    fits(page)
    row = page.locator("li.draft").first
    main, beside = row.locator(".draft-main").bounding_box(), row.locator(".ticket-solution").bounding_box()
    assert beside["y"] >= main["y"] + main["height"] - 1  # under the draft on a phone
    shot(page, "kb-drafts-desk-375")
    page.goto(f"{live_server}/kb/articles/{waiting_id}/review")
    fits(page)
    shot(page, "kb-review-375")

    page.goto(f"{live_server}/kb/articles/{other_id}/versions")
    expect(page.locator("li.version")).to_have_count(2)
    fits(page)
    shot(page, "kb-versions-375")
    page.click("#compare button[type=submit]")
    expect(page.locator("li.diff-ins").first).to_be_visible()
    expect(page.locator("li.diff-del").first).to_be_visible()
    fits(page)
    shot(page, "kb-diff-375")
    page.set_viewport_size(DESK)
    shot(page, "kb-diff-1280")
