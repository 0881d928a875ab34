#!/usr/bin/env python3
"""Screenshots of the portal's own pages for the steps of the demo manual.

    PYTHONPATH=. .venv/bin/python scripts/demo_screenshots.py            # every screenshot
    PYTHONPATH=. .venv/bin/python scripts/demo_screenshots.py search-results ticket-new

Builds the demo in a temporary folder (nothing of the working copy's instance is touched), serves
it on a free local port and drives Debian's Chromium through Playwright, one browser context per
demo account. Each screenshot is a 1280 px wide crop of the page (375 px for the phone steps),
reduced to a palette PNG of at most MAX_BYTES, written to portal/demo/data/screenshot-<name>.png;
screenshots.json beside them says under which heading of which chapter each belongs, and with
which description. `portal demo` (portal/demo/loader.py, load_screenshots) stores them as uploaded
pictures and puts them into the current edition's chapters.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "portal" / "demo" / "data"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=zh-CN"]
PASSWORD = "Demo@2026"
MAX_BYTES = 150 * 1024
DESKTOP = (1280, 720)
PHONE = (375, 740)


@dataclass(frozen=True)
class Shot:
    name: str
    chapter: int  # position of the chapter in the demo manual (demo-manual-NN)
    after: str  # the heading line of the step, exactly as in manual.json
    alt: str  # what the picture shows, for readers who cannot see it
    path: str
    user: str | None = None  # the demo account signed in (None: anonymous)
    size: tuple[int, int] = DESKTOP
    prepare: Callable | None = field(default=None, compare=False)  # what to do on the page first


def _type_ticket_title(page) -> None:
    page.locator("#title").press_sequentially("无法登录OA系统", delay=40)
    page.locator("#deflection li").first.wait_for()


def _fill_leave(page) -> None:
    page.get_by_label("请假类型").select_option("annual")
    page.get_by_label("天数").fill("2")
    page.get_by_label("事由").fill("回老家探亲，已与组内同事安排好工作交接。")


def _scroll_to_vote(page) -> None:
    page.locator(".vote").first.scroll_into_view_if_needed()


SHOTS = [
    Shot("login", 1, "## 1.3 账号密码登录", "门户登录页：输入用户名和密码，点击登录", "/login"),
    Shot(
        "password",
        2,
        "## 2.2 修改密码与密码策略",
        "修改密码页：输入当前密码和两次新密码，页面随输入提示密码规则",
        "/password",
        user="zhangwei",
    ),
    Shot(
        "account-security",
        2,
        "## 2.3 移动设备与登录记录",
        "账号安全页：修改密码、两步验证与受信任的浏览器",
        "/account/security",
        user="zhangwei",
    ),
    Shot("approval-pick", 4, "## 4.2 发起申请", "发起申请：选择申请模板", "/approvals/new", user="zhangwei"),
    Shot(
        "approval-todo",
        4,
        "## 4.3 处理待办",
        "审批待办列表：点开一条申请即可审批",
        "/approvals/?box=todo",
        user="jiangtao",
    ),
    Shot(
        "leave-form",
        6,
        "## 6.2 请假申请",
        "请假申请表单：选择请假类型，填写起止日期、天数和事由",
        "/approvals/new/leave",
        user="zhangwei",
        prepare=_fill_leave,
    ),
    Shot(
        "search-results",
        9,
        "## 9.2 搜索与浏览文章",
        "搜索结果页：命中的关键词高亮显示，左侧可按类型和分类筛选",
        "/?q=忘记密码",
        user="zhangwei",
    ),
    Shot(
        "article-vote",
        9,
        "## 9.3 从文章转为工单",
        "文章底部的“是否解决了您的问题”，右侧是相关问题",
        "/?q=账号被锁定",
        user="zhangwei",
        prepare=lambda page: (
            page.locator("ol.hits h3 a").first.click(),
            page.wait_for_load_state(),
            _scroll_to_vote(page),
        ),
    ),
    Shot(
        "ticket-new",
        10,
        "## 10.2 提交工单",
        "提交工单：输入标题时，表单旁推荐可能解决问题的文章",
        "/tickets/new",
        user="zhangwei",
        prepare=_type_ticket_title,
    ),
    Shot(
        "my-tickets", 10, "## 10.3 跟踪、补充与评价", "我的工单：每张工单的状态和处理时限", "/tickets/", user="zhangwei"
    ),
    Shot("phone-home", 11, "## 11.2 常用功能", "手机上的门户首页：搜索框和常见问题", "/", user="zhangwei", size=PHONE),
    Shot(
        "approval-stats", 12, "## 12.2 查询报表", "审批效率统计：平均用时与超时比例", "/approvals/stats", user="admin"
    ),
]


def demo_portal(folder: Path):
    """The demo portal in `folder`: its own SQLite file, index and file store."""
    from portal import create_app
    from portal.demo import loader
    from portal.extensions import db
    from portal.search import services
    from portal.web.catalogs import compile_catalogs

    compile_catalogs()
    config = {
        "INSTANCE_PATH": str(folder / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'instance' / 'portal.db'}",
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "JOBS_IMMEDIATE": True,
        "SECRET_KEY": "screenshots",
        "SECURE_COOKIES": False,
        "RATELIMIT_ENABLED": False,
        "SIGNIN_NEW_NETWORK_CHECK": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # a throwaway demo: no need for scrypt's cost
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
        loader.load_demo(echo=lambda *_: None)
        services.reindex()
    return app


def small_png(data: bytes, limit: int = MAX_BYTES) -> bytes:
    """A palette PNG of the screenshot (UI colours are few), with fewer colours until it fits."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    for colours in (256, 128, 64, 32):
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out, "PNG", optimize=True
        )
        if out.tell() <= limit:
            break
    return out.getvalue()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def take(browser, base: str, shot: Shot) -> bytes:
    width, height = shot.size
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        if shot.user:
            sign_in(page, base, shot.user)
        page.goto(base + shot.path)
        page.wait_for_load_state("networkidle")
        if shot.prepare:
            shot.prepare(page)
            page.wait_for_timeout(300)  # the debounced live parts settle
        return page.screenshot(type="png")  # the viewport: a crop of width x height
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these screenshots (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - {s.name for s in SHOTS}
    if unknown:
        parser.error(f"unknown screenshots: {', '.join(sorted(unknown))}")
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as tmp:
        app = demo_portal(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for shot in SHOTS:
                    if args.names and shot.name not in args.names:
                        continue
                    data = small_png(take(browser, base, shot))
                    (DATA / f"screenshot-{shot.name}.png").write_bytes(data)
                    print(f"screenshot-{shot.name}.png  {shot.size[0]}x{shot.size[1]}  {len(data) // 1024} KB")
                browser.close()
        finally:
            server.shutdown()
    manifest = [
        {"file": f"screenshot-{s.name}.png", "chapter": s.chapter, "after": s.after, "alt": s.alt} for s in SHOTS
    ]
    (DATA / "screenshots.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
