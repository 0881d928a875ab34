"""Load the demo organisation, FAQs and manual; idempotent, so `portal demo` can run again."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.auth.models import Department, Region, User
from portal.auth.services import NewUser, create_user
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.kb import importer, markdown, picture_store, pictures
from portal.kb.models import SEED_CATEGORIES, UNCATEGORIZED, Article, Category, Manual
from portal.kb.services import NOTE_IMPORT, add_version, ensure_categories, import_records

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "Demo@2026"
CATEGORY_DESCRIPTIONS = {
    "登录问题": "账号、密码、验证码与单点登录",
    "权限问题": "菜单、数据与审批权限的申请和变更",
    "数据错误": "数据不一致、报表差异与同步延迟",
    "操作指南": "日常功能的操作步骤",
    UNCATEGORIZED: "导入时未指定分类的文章",
}


def seed_reference_data(echo=None) -> None:
    """The categories every installation starts with, support's reply templates, and the working
    calendar of this year and the next from the holidays package (loaded again on every run:
    an updated package may know more; administrators' own entries stay as they are)."""
    ensure_categories([*SEED_CATEGORIES, UNCATEGORIZED], descriptions=CATEGORY_DESCRIPTIONS)
    from portal.demo import tickets

    tickets.seed_quick_replies()
    for result in tickets.seed_calendar():
        if echo is not None:
            state = "official" if result.official else "estimated: no State Council notice in the package yet"
            echo(f"calendar {result.year}: {result.source} ({state}), {result.added} days added")


def _json(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_org() -> int:
    org = _json("org.json")
    with unit_of_work():
        for r in org["regions"]:
            if not db.session.scalar(select(Region.id).where(Region.code == r["code"])):
                db.session.add(Region(code=r["code"], name=r["name"]))
        for d in org["departments"]:
            if not db.session.scalar(select(Department.id).where(Department.code == d["code"])):
                db.session.add(Department(code=d["code"], name=d["name"]))
    created = 0
    with unit_of_work():
        pending = list(org["users"])
        known = set(db.session.scalars(select(User.username)))
        while pending:  # superiors first
            ready = [u for u in pending if not u["superior"] or u["superior"] in known]
            if not ready:
                raise RuntimeError("demo org chart has a reporting cycle")
            for u in ready:
                pending.remove(u)
                if u["username"] not in known:
                    create_user(NewUser(password=DEMO_PASSWORD, **u))
                    db.session.flush()
                    created += 1
                known.add(u["username"])
        users = {u.username: u for u in db.session.scalars(select(User))}
        for d in org["departments"]:
            dept = db.session.scalar(select(Department).where(Department.code == d["code"]))
            dept.division_leader = users.get(d.get("division_leader"))
    return created


def load_faqs() -> int:
    records, bad = importer.parse("faqs.jsonl", (DATA / "faqs.jsonl").read_bytes())
    if bad:
        raise RuntimeError(f"demo FAQ data has bad rows: {bad}")
    visibility = {}
    for line in (DATA / "faqs.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            visibility[row["external_id"]] = row.get("visibility", "public")
    rng = random.Random(2026)  # the same "history" on every machine
    with unit_of_work():  # the import and the demo's reading history: one transaction
        counts = import_records(records, author=db.session.scalar(select(User).where(User.username == "chenjing")))
        for article in db.session.scalars(select(Article).where(Article.external_id.like("demo-faq-%"))):
            article.visibility = visibility.get(article.external_id, "public")
            if article.view_count == 0:
                article.view_count = int(rng.paretovariate(1.3) * 20)
                article.helpful_yes = rng.randint(0, max(1, article.view_count // 6))
                article.helpful_no = rng.randint(0, max(1, article.view_count // 20))
    return counts.created


# The demo manual's previous quarter: readable from the edition switcher, searched with edition=.
# Generated from manual.json: the last chapter is new in the current edition, a few facts changed.
OLDER_EDITION = ("2026Q3", date(2026, 7, 1))
OLDER_CHANGES = {
    1: [
        ("Chrome 100", "Chrome 90"),
        ("注意：系统不再支持 IE 浏览器。", "注意：系统仍兼容 IE 11 浏览器，但部分页面显示异常。"),
        ("密码有效期为 90 天", "密码有效期为 180 天"),
    ],
    5: [
        ("一般 3 个工作日内打款到工资卡", "一般 5 个工作日内打款到工资卡"),
        ("粘贴后交财务", "粘贴后邮寄至财务共享中心"),
    ],
}


def older_chapters(chapters: list[dict]) -> list[dict]:
    """The 2026Q3 text of the manual's chapters (pure)."""
    out = []
    for position, chapter in enumerate(chapters[:-1], start=1):
        body = chapter["body"]
        for old, new in OLDER_CHANGES.get(position, ()):
            body = body.replace(old, new)
        out.append({"title": chapter["title"], "body": body})
    return out


def _add_chapters(manual: Manual, chapters: list[dict], suffix: str = "") -> None:
    guide = db.session.scalar(select(Category).where(Category.name == "操作指南"))
    author = db.session.scalar(select(User).where(User.username == "chenjing"))
    for position, chapter in enumerate(chapters, start=1):
        article = Article(
            kind="manual",
            manual=manual,
            position=position,
            title=chapter["title"],
            body=chapter["body"],
            body_text=markdown.plain_text(chapter["body"]),
            category=guide,
            visibility="public",
            status="published",  # the manual's editions are reviewed as a whole (editions.py)
            origin="import",
            external_id=f"demo-manual-{position:02d}{suffix}",
            author=author,
        )
        db.session.add(article)
        db.session.flush()
        add_version(article, author, NOTE_IMPORT)


def load_manual() -> int:
    """The current edition (2026Q4, from manual.json) and the previous one (2026Q3); chapters
    created are counted. A database loaded before editions existed gets its edition set."""
    data = _json("manual.json")
    released = date.fromisoformat(data["released_on"])
    created = 0
    with unit_of_work():
        current = db.session.scalar(
            select(Manual).join(Article, Article.manual_id == Manual.id).where(Article.external_id == "demo-manual-01")
        )
        if current is None:
            current = db.session.scalar(select(Manual).where(Manual.title == data["title"]).order_by(Manual.id))
        if current is None:
            current = Manual(title=data["title"], edition=data["edition"], released_on=released, is_current=True)
            db.session.add(current)
            _add_chapters(current, data["chapters"])
            created += len(data["chapters"])
        elif current.released_on is None:  # loaded before editions: its label was the long one
            current.edition, current.released_on = data["edition"], released
        edition, released_on = OLDER_EDITION
        if not db.session.scalar(select(Manual.id).where(Manual.title == data["title"], Manual.edition == edition)):
            older = Manual(title=data["title"], edition=edition, released_on=released_on, is_current=False)
            db.session.add(older)
            chapters = older_chapters(data["chapters"])
            _add_chapters(older, chapters, suffix=f"@{edition}")
            created += len(chapters)
    return created


def insert_after_heading(body: str, heading: str, line: str) -> str:
    """`line` as its own paragraph right under the heading line (pure); a line with the same
    picture description there already is replaced (a screenshot taken again)."""
    alt = re.escape(line[: line.index("](") + 2])
    earlier = re.compile(alt + r"/kb/pictures/[0-9a-f]{32}\.(?:png|jpg|webp)\)")
    if earlier.search(body):
        return earlier.sub(lambda _m: line, body, count=1)
    lines = body.split("\n")
    if heading not in lines:
        raise RuntimeError(f"the demo manual has no heading {heading!r} for its screenshot")
    at = lines.index(heading) + 1
    return "\n".join([*lines[:at], "", line, *lines[at:]])


def load_screenshots() -> int:
    """The screenshots of the portal's own pages (scripts/demo_screenshots.py writes them and
    screenshots.json) under the steps of the current edition's chapters, stored as any uploaded
    picture; the ones added are counted."""
    path = DATA / "screenshots.json"
    if not path.exists():
        return 0
    added = 0
    with unit_of_work():
        curator = db.session.scalar(select(User).where(User.username == "chenjing"))
        for shot in json.loads(path.read_text(encoding="utf-8")):
            chapter = db.session.scalar(
                select(Article).where(Article.external_id == f"demo-manual-{shot['chapter']:02d}")
            )
            if chapter is None or not (DATA / shot["file"]).exists():
                continue
            picture = picture_store.store_picture((DATA / shot["file"]).read_bytes(), curator)
            line = pictures.markdown_for(shot["alt"], picture_store.url(picture))
            if line in chapter.body:
                continue
            chapter.body = insert_after_heading(chapter.body, shot["after"], line)
            chapter.body_text = markdown.plain_text(chapter.body)
            added += 1
    return added


def load_demo(echo=print) -> str:
    seed_reference_data()
    users = load_org()
    echo(f"demo users: {users} created")
    faqs = load_faqs()
    echo(f"demo FAQs: {faqs} created")
    chapters = load_manual()
    echo(f"demo manual chapters: {chapters} created")
    echo(f"demo manual screenshots: {load_screenshots()} added")
    from portal.demo import tickets
    from portal.search import queue

    with queue.batched():  # the index is brought up to date once, not after every ticket event
        count = tickets.load_tickets()
    echo(f"demo tickets: {count} created")
    from portal.demo import approvals

    echo(f"demo approval requests: {approvals.load_approvals()} created")
    from portal.demo import quiz

    echo(f"demo quiz questions: {quiz.load_quiz()} created")
    return f"demo data ready (password of every demo account: {DEMO_PASSWORD})"
