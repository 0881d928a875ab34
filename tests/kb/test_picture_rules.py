"""The pure rules of pictures (portal/kb/pictures.py): addresses, the pictures a text shows,
the Markdown line to insert, and who may see a picture from the texts that show it."""

from __future__ import annotations

import pytest

from portal.kb import markdown, pictures
from portal.kb.pictures import CURATORS, PUBLIC, SIGNED_IN, Use

KEY = "0123456789abcdef0123456789abcdef"


def test_names_are_a_key_and_a_known_extension():
    assert pictures.file_name(KEY, "jpeg") == f"{KEY}.jpg"
    assert pictures.parse_name(f"{KEY}.png") == (KEY, "png")
    assert pictures.parse_name(f"{KEY}.webp") == (KEY, "webp")
    for bad in (
        f"{KEY}.gif",
        f"{KEY}.PNG",
        f"{KEY[:-1]}.png",
        f"{KEY}.png.html",
        f"../{KEY}.png",
        f"{KEY.upper()}.png",
    ):
        assert pictures.parse_name(bad) is None, bad
    assert pictures.key_of("f" * 64) == "f" * 32


def test_the_pictures_a_text_shows():
    other = "f" * 32
    text = f"![a](/kb/pictures/{KEY}.png) and [full](/kb/pictures/full/{KEY}.png) ![b](/kb/pictures/{other}.webp)"
    assert pictures.keys_in(text) == [KEY, other]
    assert pictures.keys_in(f"the key {KEY} alone") == []
    assert pictures.keys_in("") == []


@pytest.mark.parametrize(
    ("alt", "expected"),
    [
        ("登录页", "![登录页](/u.png)"),
        ("  两行\n说明  ", "![两行 说明](/u.png)"),
        ("x](javascript:alert(1))![", "![x\\](javascript:alert(1))!\\[](/u.png)"),
        ("a\\", "![a\\\\](/u.png)"),
        ("", "![](/u.png)"),
    ],
)
def test_the_markdown_line_keeps_the_alt_text_inside_its_brackets(alt, expected):
    line = pictures.markdown_for(alt, "/u.png")
    assert line == expected
    html = markdown.render(line.replace("/u.png", f"/kb/pictures/{KEY}.png"))
    assert html.count("<img") == 1 and "href" not in html


def test_alt_text_from_a_file_name():
    assert pictures.alt_from_filename("C:\\Users\\me\\登录页_步骤1.png") == "登录页 步骤1"
    assert pictures.alt_from_filename("image.png") == ""  # what a pasted screenshot is called
    assert pictures.alt_from_filename("") == ""


def use(visibility="public", published=True, draft_edition=False) -> Use:
    return Use(visibility, published, draft_edition)


@pytest.mark.parametrize(
    ("uses", "audience"),
    [
        ([], CURATORS),  # just uploaded: nobody's text shows it yet
        ([use()], PUBLIC),
        ([use("internal")], SIGNED_IN),
        ([use(published=False)], CURATORS),
        ([use(draft_edition=True)], CURATORS),
        ([use("internal"), use()], PUBLIC),  # the widest reader counts
        ([use(published=False), use("internal")], SIGNED_IN),
        ([use(draft_edition=True), use(published=False)], CURATORS),
    ],
)
def test_who_may_see_a_picture_follows_the_texts_showing_it(uses, audience):
    assert pictures.audience(uses) == audience


def test_may_see():
    assert pictures.may_see(PUBLIC, authenticated=False, is_curator=False)
    assert not pictures.may_see(SIGNED_IN, authenticated=False, is_curator=False)
    assert pictures.may_see(SIGNED_IN, authenticated=True, is_curator=False)
    assert not pictures.may_see(CURATORS, authenticated=True, is_curator=False)
    assert pictures.may_see(CURATORS, authenticated=True, is_curator=True)
