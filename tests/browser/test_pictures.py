"""A curator puts pictures into an article (chosen, dropped, pasted) and sees them in the preview;
a refused file leaves the text as typed; a reader who opens a result sees the searched words
marked and the first one in view; the pages hold at 375 px."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}
TYPED = "## 登录步骤\n\n1. 打开登录页\n2. 输入用户名和密码\n"


def png(width: int, height: int, color: str) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    image.paste("white", (width // 4, height // 4, width * 3 // 4, height * 3 // 4))
    image.save(out, "PNG")
    return out.getvalue()


def open_editor(page, base: str) -> None:
    login(page, base, "chenjing")
    page.goto(base + "/kb/articles/new")
    page.fill("#title", "登录页截图说明")
    page.fill("#body", TYPED)
    page.locator("#body").press("End")
    page.evaluate("document.getElementById('body').setSelectionRange(1e6, 1e6)")  # the cursor at the end


def preview_pictures(page):
    return page.locator("#preview img[src^='/kb/pictures/']")


def loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_choosing_a_file_puts_the_picture_at_the_cursor_and_in_the_preview(page, live_server, tmp_path):
    open_editor(page, live_server)
    picture = tmp_path / "登录页.png"
    picture.write_bytes(png(2000, 800, "#c0392b"))
    page.fill("#picture-alt", "门户登录页")
    page.set_input_files("#picture-file", str(picture))
    expect(page.locator("#picture-status.ok")).to_be_visible()
    value = page.input_value("#body")
    assert value.startswith(TYPED)  # what was typed stays, the picture comes after it
    assert re.search(r"\n\n!\[门户登录页\]\(/kb/pictures/[0-9a-f]{32}\.png\)$", value), value
    image = preview_pictures(page).first
    expect(image).to_be_visible()
    expect(image).to_have_attribute("alt", "门户登录页")
    assert loaded(image)
    assert image.evaluate("img => img.naturalWidth") == 1600  # the rendition, not the 2000 px original
    shot(page, "picture-editor")

    page.click("#article-form button.primary[type=submit]")
    expect(page.locator("h1")).to_contain_text("登录页截图说明")
    shown = page.locator(".article-body img[src^='/kb/pictures/']")
    expect(shown).to_be_visible()
    assert loaded(shown)


def test_dropping_and_pasting_a_picture_insert_it_too(page, live_server):
    open_editor(page, live_server)
    for event, color in (("drop", "#2e86de"), ("paste", "#27ae60")):
        data = base64.b64encode(png(300, 200, color)).decode()
        page.evaluate(
            """([event, data]) => {
                const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], "image.png", {type: "image/png"}));
                const box = document.getElementById("body");
                const init = {bubbles: true, cancelable: true};
                box.dispatchEvent(event === "drop"
                    ? new DragEvent("drop", {...init, dataTransfer: transfer})
                    : new ClipboardEvent("paste", {...init, clipboardData: transfer}));
            }""",
            [event, data],
        )
        expect(page.locator("#body")).to_have_value(re.compile(r"/kb/pictures/[0-9a-f]{32}\.png\)\s*$"))
        expect(page.locator("#picture-status.ok")).to_be_visible()
    expect(preview_pictures(page)).to_have_count(2)
    assert page.input_value("#body").startswith(TYPED)


def test_a_refused_file_says_why_and_leaves_the_text_as_typed(page, live_server, tmp_path):
    open_editor(page, live_server)
    fake = tmp_path / "截图.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n<script>alert(document.cookie)</script>")
    page.set_input_files("#picture-file", str(fake))
    status = page.locator("#picture-status.error")
    expect(status).to_be_visible()
    expect(status).to_have_attribute("role", "alert")
    expect(status).not_to_be_empty()
    assert page.input_value("#body") == TYPED
    assert page.input_value("#title") == "登录页截图说明"

    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/kb/pictures" in r.url else None)
    big = tmp_path / "大图.png"
    big.write_bytes(b"\x89PNG" + b"\0" * (9 * 1024 * 1024))  # over the 8 MB limit: refused before sending
    page.set_input_files("#picture-file", str(big))
    too_big = page.get_attribute("#picture-form", "data-msg-too-big")
    expect(status).to_have_text(too_big)
    assert posts == [] and page.input_value("#body") == TYPED


def test_the_editor_and_a_chapter_with_pictures_fit_a_phone(browser, live_server, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    open_editor(page, live_server)
    picture = tmp_path / "手机截图.png"
    picture.write_bytes(png(750, 1334, "#8e44ad"))
    page.set_input_files("#picture-file", str(picture))
    expect(preview_pictures(page).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.locator("#picture-form").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "editor-375.png"))
    shot(page, "picture-editor-375")

    page.goto(live_server + "/kb/manuals/1")
    page.locator("ol.toc a").first.click()
    image = page.locator(".article-body img[src^='/kb/pictures/']").first
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    assert loaded(image)
    box = image.bounding_box()
    assert box and box["width"] <= PHONE["width"]  # scaled down to the screen
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "chapter-picture-375")
    context.close()


def test_a_result_opens_with_the_searched_words_marked_and_the_first_in_view(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(live_server + "/?q=安全退出&kind=manual")  # the manual's chapters only
    hit = page.locator("#search-results ol.hits h3 a", has_text="第 1 章")
    expect(hit).to_be_visible()
    hit.click()
    expect(page.locator("#article-body mark", has_text="安全退出")).to_be_visible()
    first = page.locator("#article-body mark").first  # 安全 and 退出 are the words searched
    expect(first).to_have_text(re.compile("^(安全|退出|安全退出)$"))
    page.wait_for_function("window.scrollY > 0")  # the words are far down the chapter
    top = first.evaluate("m => m.getBoundingClientRect().top")
    assert 0 <= top <= PHONE["height"], top
    shot(page, "marked-result-375")
    context.close()
