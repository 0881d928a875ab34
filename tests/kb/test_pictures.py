"""Pictures in articles and chapters: the editor's upload (accepted, refused, nothing stored when
refused), the stored copy without metadata, and serving — the right type, nosniff, a year's cache,
and only to whoever may read an article or chapter that shows the picture (404 for the rest)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.extensions import db
from portal.kb import picture_store
from portal.kb.models import Picture
from tests import factories as f
from tests.conftest import csrf_from

JSON = {"Accept": "application/json"}
YEAR = "max-age=31536000, immutable"


@pytest.fixture(autouse=True)
def people(db_app):
    f.user("zhangwei", display_name="张伟")
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])
    f.category("操作指南")


def upload(client, data: bytes, filename: str = "登录页.png", content_type: str = "image/png", **form):
    token = csrf_from(client.get("/kb/articles/new").get_data(as_text=True))
    return client.post(
        "/kb/pictures",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename, content_type), **form},
        headers=JSON,
        content_type="multipart/form-data",
    )


def stored_files() -> list[Path]:
    folder = Path(current_app.config["STORAGE_DIR"]) / picture_store.AREA
    return sorted(folder.iterdir()) if folder.exists() else []


def picture_count() -> int:
    return db.session.scalar(select(func.count(Picture.id)))


# --- uploading ---------------------------------------------------------------------------------


def test_a_curator_uploads_a_picture_and_gets_the_markdown_to_insert(db_client, db_auth):
    db_auth.login("chenjing")
    response = upload(db_client, f.picture_bytes(2400, 600), alt="登录页面")
    assert response.status_code == 201
    body = response.get_json()
    assert body["url"].startswith("/kb/pictures/") and body["url"].endswith(".png")
    assert body["markdown"] == f"![登录页面]({body['url']})"
    assert body["full"] == body["url"].replace("/kb/pictures/", "/kb/pictures/full/")
    picture = db.session.scalar(select(Picture))
    assert (picture.width, picture.height, picture.rendition_width) == (2400, 600, 1600)
    assert len(stored_files()) == 2  # the original and the rendition
    page = db_client.get(body["url"])  # nobody's text shows it yet: the curators see it
    assert page.status_code == 200 and Image.open(io.BytesIO(page.data)).size == (1600, 400)
    assert Image.open(io.BytesIO(db_client.get(body["full"]).data)).size == (2400, 600)


def test_the_alt_text_comes_from_the_file_name_when_none_is_given(db_client, db_auth):
    db_auth.login("chenjing")
    body = upload(db_client, f.picture_bytes(), filename="审批_待办.png").get_json()
    assert body["markdown"].startswith("![审批 待办](")
    body = upload(db_client, f.picture_bytes(color="red"), filename="image.png").get_json()
    assert body["markdown"].startswith("![](")


def test_the_same_picture_twice_is_one_picture(db_client, db_auth):
    db_auth.login("chenjing")
    first = upload(db_client, f.picture_bytes()).get_json()
    again = upload(db_client, f.picture_bytes(), filename="copy.png").get_json()
    assert first["url"] == again["url"]
    assert picture_count() == 1 and len(stored_files()) == 1


def test_what_the_name_and_content_type_claim_does_not_count(db_client, db_auth):
    db_auth.login("chenjing")
    body = upload(db_client, f.picture_bytes(fmt="JPEG"), filename="x.png", content_type="image/png").get_json()
    assert body["url"].endswith(".jpg")  # it is a JPEG, whatever it was called
    webp = upload(db_client, f.picture_bytes(fmt="WEBP"), filename="x.gif", content_type="text/html").get_json()
    assert webp["url"].endswith(".webp")


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        pytest.param(
            b"\x89PNG\r\n\x1a\n<script>alert(document.cookie)</script>", "x.png", "image/png", id="fake-png-js"
        ),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.png", "image/png", id="svg"),
        pytest.param(f.picture_bytes(fmt="GIF"), "x.gif", "image/gif", id="gif"),
        pytest.param(f.picture_bytes(fmt="BMP"), "x.png", "image/png", id="bmp-named-png"),
        pytest.param(b"%PDF-1.7\n1 0 obj", "x.jpg", "image/jpeg", id="pdf"),
        pytest.param(b"", "x.png", "image/png", id="empty"),
        pytest.param(f.picture_bytes(10_000, 5_000, fmt="PNG"), "big.png", "image/png", id="50-megapixels"),
    ],
)
def test_what_is_not_a_picture_we_take_is_refused_and_nothing_is_stored(
    db_client, db_auth, data, filename, content_type
):
    db_auth.login("chenjing")
    response = upload(db_client, data, filename, content_type)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"]
    assert picture_count() == 0 and stored_files() == []


def test_a_picture_over_the_configured_size_is_refused(db_client, db_auth, db_app):
    db_app.config["IMAGE_MAX_BYTES"] = 2_000
    db_client.set_cookie("portal_lang", "en")
    db_auth.login("chenjing")
    noisy = Image.effect_noise((200, 200), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    response = upload(db_client, out.getvalue())
    assert response.status_code == 422
    assert "at most 0.00190735 MB" in response.get_json()["error"]["message"]
    assert picture_count() == 0


def test_a_picture_with_too_many_pixels_is_refused_from_its_header(db_client, db_auth, db_app):
    db_app.config["IMAGE_MAX_PIXELS"] = 1_000_000
    db_auth.login("chenjing")
    response = upload(db_client, f.picture_bytes(2_000, 1_000))
    assert response.status_code == 422 and picture_count() == 0


def test_an_upload_without_a_file_is_refused(db_client, db_auth):
    db_auth.login("chenjing")
    token = db_auth.csrf("/kb/articles/new")
    response = db_client.post("/kb/pictures", data={"csrf_token": token}, headers=JSON)
    assert response.status_code == 422


def test_only_curators_upload(db_client, db_auth):
    anonymous = db_client.post("/kb/pictures", data={"csrf_token": db_auth.csrf("/login")})
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.location
    db_auth.login("zhangwei")
    token = db_auth.csrf("/")
    response = db_client.post(
        "/kb/pictures",
        data={"csrf_token": token, "file": (io.BytesIO(f.picture_bytes()), "x.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403 and picture_count() == 0


def test_without_javascript_the_upload_answers_a_page_with_the_line_to_copy(db_client, db_auth):
    db_auth.login("chenjing")
    token = db_auth.csrf("/kb/articles/new")
    response = db_client.post(
        "/kb/pictures",
        data={"csrf_token": token, "alt": "步骤", "file": (io.BytesIO(f.picture_bytes()), "x.png", "image/png")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and 'id="picture-markdown"' in html
    url = picture_store.url(db.session.scalar(select(Picture)))
    assert f'value="![步骤]({url})"' in html
    refused = db_client.post(
        "/kb/pictures",
        data={"csrf_token": token, "file": (io.BytesIO(b"GIF89a"), "x.gif", "image/gif")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and 'id="picture-error"' in refused.get_data(as_text=True)


def test_the_stored_picture_has_no_metadata(db_client, db_auth):
    """A phone photo with EXIF and GPS (made here): what is stored and served has neither."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    data = f.picture_bytes(300, 200, fmt="JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    db_auth.login("chenjing")
    body = upload(db_client, data, "photo.jpg", "image/jpeg").get_json()
    for path in stored_files():
        assert b"SecretCam" not in path.read_bytes() and b"Exif" not in path.read_bytes()
    served = db_client.get(body["full"]).data
    assert b"SecretCam" not in served
    assert not Image.open(io.BytesIO(served)).getexif().get_ifd(0x8825)


# --- serving: headers ---------------------------------------------------------------------------


def test_a_public_picture_is_served_with_its_type_nosniff_and_a_years_public_cache(db_client):
    picture = f.picture()
    url = picture_store.url(picture)
    f.article("登录步骤", f"1. 打开登录页\n\n![登录页]({url})")
    response = db_client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == f"public, {YEAR}"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.data == picture_store.read(picture)
    again = db_client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_jpeg_and_a_webp_are_served_as_what_they_are(db_client):
    for fmt, mimetype in (("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        picture = picture_store.store_picture(f.picture_bytes(fmt=fmt))
        url = picture_store.url(picture)
        f.article(f"文章 {fmt}", f"![x]({url})")
        assert db_client.get(url).mimetype == mimetype


def test_a_wrong_extension_or_an_unknown_key_is_no_picture(db_client):
    url = picture_store.url(f.picture())
    f.article("登录步骤", f"![登录页]({url})")
    assert db_client.get(url.replace(".png", ".jpg")).status_code == 404
    assert db_client.get("/kb/pictures/" + "0" * 32 + ".png").status_code == 404
    assert db_client.get("/kb/pictures/../../instance/portal.db").status_code == 404
    assert db_client.get("/kb/pictures/full/" + url.rsplit("/", 1)[1] + "x").status_code == 404


# --- serving: who may see it ---------------------------------------------------------------------


def seen_by(client, auth, url: str) -> dict[str, int]:
    """The status each kind of reader gets for the picture."""
    out = {"anonymous": client.get(url).status_code}
    for username in ("zhangwei", "chenjing"):
        auth.login(username)
        out[username] = client.get(url).status_code
        auth.logout()
    return out


def test_an_internal_articles_picture_needs_sign_in(db_client, db_auth):
    url = picture_store.url(f.picture())
    f.article("内部说明", f"![内部]({url})", visibility="internal")
    assert seen_by(db_client, db_auth, url) == {"anonymous": 404, "zhangwei": 200, "chenjing": 200}
    db_auth.login("zhangwei")
    response = db_client.get(url)
    assert response.headers["Cache-Control"] == f"private, {YEAR}"  # never in a shared cache
    assert "Cookie" in response.headers["Vary"]


def test_a_drafts_picture_is_the_curators(db_client, db_auth):
    url = picture_store.url(f.picture())
    f.article("草稿", f"![草稿]({url})", published=False)
    assert seen_by(db_client, db_auth, url) == {"anonymous": 404, "zhangwei": 404, "chenjing": 200}


def test_a_draft_editions_picture_is_the_curators(db_client, db_auth):
    url = picture_store.url(f.picture())
    draft = f.manual(edition="2027Q1", released_on=None, is_current=False)
    f.article("第一章 登录（修订中）", f"![新登录页]({url})", manual=draft, position=1)
    assert seen_by(db_client, db_auth, url) == {"anonymous": 404, "zhangwei": 404, "chenjing": 200}
    older = f.manual(edition="2026Q3", released_on=date(2026, 7, 1), is_current=False)
    f.article("第一章 登录", f"![登录页]({url})", manual=older, position=1)  # a released edition shows it
    assert seen_by(db_client, db_auth, url) == {"anonymous": 200, "zhangwei": 200, "chenjing": 200}


def test_a_picture_nobodys_text_shows_is_the_curators(db_client, db_auth):
    picture = f.picture()
    url = picture_store.url(picture)
    f.article("别的文章", f"提到 {picture.key} 却不是图片地址")  # the key alone is not a picture address
    assert seen_by(db_client, db_auth, url) == {"anonymous": 404, "zhangwei": 404, "chenjing": 200}
    assert seen_by(db_client, db_auth, picture_store.url(picture, full=True))["zhangwei"] == 404


def test_the_widest_reader_of_the_texts_showing_it_counts(db_client, db_auth):
    url = picture_store.url(f.picture())
    f.article("内部说明", f"![内部]({url})", visibility="internal")
    f.article("公开说明", f"![公开]({url.replace('/kb/pictures/', '/kb/pictures/full/')})")
    assert seen_by(db_client, db_auth, url) == {"anonymous": 200, "zhangwei": 200, "chenjing": 200}


def test_a_closed_knowledge_base_keeps_its_pictures_out_of_shared_caches(db_client, db_auth, db_app):
    db_app.config["PUBLIC_KB"] = False
    url = picture_store.url(f.picture())
    f.article("登录步骤", f"![登录页]({url})")
    assert db_client.get(url).status_code in (302, 303)  # sign in first, as for the article
    db_auth.login("zhangwei")
    assert db_client.get(url).headers["Cache-Control"] == f"private, {YEAR}"


# --- in the editor and on the page ---------------------------------------------------------------


def test_the_editor_has_the_picture_upload_in_a_form_of_its_own(db_client, db_auth):
    db_auth.login("chenjing")
    html = db_client.get("/kb/articles/new").get_data(as_text=True)
    start = html.index('<form id="picture-form"')
    picture_form = html[start : html.index("</form>", start)]
    assert 'action="/kb/pictures"' in picture_form and 'enctype="multipart/form-data"' in picture_form
    assert 'data-target="body"' in picture_form and 'name="csrf_token"' in picture_form
    assert '<input type="file" id="picture-file" name="file" accept="image/png,image/jpeg,image/webp">' in picture_form
    start = html.index('<form method="post" id="article-form"')
    article_form = html[start : html.index("</form>", start)]
    assert 'name="file"' not in article_form and article_form.count('type="submit"') == 1  # Save only
    assert "js/picture_upload.js" in html


def test_a_chapter_shows_its_picture(db_client):
    picture = f.picture(800, 400)
    url = picture_store.url(picture)
    manual = f.manual()
    chapter = f.article("第一章 登录", f"## 1.1 登录\n\n![登录页]({url})\n\n1. 输入用户名", manual=manual, position=1)
    html = db_client.get(f"/kb/articles/{chapter.id}").get_data(as_text=True)
    assert f'<img src="{url}" alt="登录页">' in html
    assert db_client.get(url).status_code == 200
