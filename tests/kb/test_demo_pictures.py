"""The demo manual's screenshots (scripts/demo_screenshots.py made them; portal/demo/loader.py
puts them under their steps): small committed PNGs of the portal's own pages, each shown in its
chapter and readable by everyone, as the chapter is."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.demo import loader
from portal.extensions import db
from portal.kb.models import Article, Picture

SHOTS = json.loads((loader.DATA / "screenshots.json").read_text(encoding="utf-8"))
MANUAL = json.loads((loader.DATA / "manual.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("shot", SHOTS, ids=[s["file"] for s in SHOTS])
def test_each_screenshot_is_a_small_png_of_a_desktop_or_phone_width(shot):
    path = loader.DATA / shot["file"]
    assert path.stat().st_size <= 150 * 1024
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width in (1280, 375)
    chapter = MANUAL["chapters"][shot["chapter"] - 1]
    assert shot["after"] in chapter["body"].split("\n"), "its step heading is in the chapter"
    assert shot["alt"].strip()


def test_the_manual_steps_show_their_screenshots(client):
    url = None
    with client.application.app_context():
        current = select(Article).where(Article.external_id.like("demo-manual-%"), Article.external_id.not_like("%@%"))
        chapters = {a.position: a for a in db.session.scalars(current)}
        for shot in SHOTS:
            body = chapters[shot["chapter"]].body
            after = body.split(shot["after"] + "\n", 1)[1]
            assert re.match(r"\n!\[" + re.escape(shot["alt"]) + r"\]\(/kb/pictures/[0-9a-f]{32}\.png\)\n", after)
        first = chapters[SHOTS[0]["chapter"]]
        url = re.search(r"/kb/pictures/[0-9a-f]{32}\.png", first.body).group(0)
        assert db.session.scalar(select(Picture).where(Picture.key == url[13:45])) is not None
        older = db.session.scalar(select(Article).where(Article.external_id == "demo-manual-01@2026Q3"))
        assert "/kb/pictures/" not in older.body  # the pictures came with the current edition
    page = client.get(f"/kb/articles/{first.id}").get_data(as_text=True)
    assert f'<img src="{url}" alt="{SHOTS[0]["alt"]}">' in page
    response = client.get(url)  # anonymous: the chapter is public
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(loader.DATA / SHOTS[0]["file"]) as committed:
        assert Image.open(io.BytesIO(response.data)).size == committed.size


def test_loading_the_screenshots_again_adds_nothing(demo_app):
    with demo_app.app_context():
        before = {a.id: a.body for a in db.session.scalars(select(Article))}
        assert loader.load_screenshots() == 0
        assert {a.id: a.body for a in db.session.scalars(select(Article))} == before


def test_a_screenshot_goes_right_under_its_heading_and_a_new_one_replaces_the_old():
    body = "## 1.1 简介\n\n文字\n\n## 1.2 登录\n\n1. 打开登录页"
    line = "![登录页](/kb/pictures/" + "a" * 32 + ".png)"
    once = loader.insert_after_heading(body, "## 1.2 登录", line)
    assert once == "## 1.1 简介\n\n文字\n\n## 1.2 登录\n\n" + line + "\n\n1. 打开登录页"
    newer = line.replace("a" * 32, "b" * 32)
    assert loader.insert_after_heading(once, "## 1.2 登录", newer) == once.replace(line, newer)
    with pytest.raises(RuntimeError):
        loader.insert_after_heading(body, "## 9.9 没有", line)
