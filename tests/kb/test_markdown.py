import pytest

from portal.kb import markdown


def test_script_and_javascript_urls_do_not_survive():
    html = markdown.render("<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>")
    assert "<script" not in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert "onerror" not in html or "&lt;img" in html


def test_headings_get_chinese_anchors_and_a_toc():
    source = "## 1.1 修改密码\n\n文字\n\n### 注意事项\n\n## 1.2 找回密码\n"
    html = markdown.render(source)
    assert 'id="1-1-修改密码"' in html
    toc = markdown.toc(source)
    assert [(h.level, h.title) for h in toc] == [(2, "1.1 修改密码"), (3, "注意事项"), (2, "1.2 找回密码")]
    assert toc[0].anchor == "1-1-修改密码"


def test_pictures_and_tables_render():
    html = markdown.render("![步骤一](/static/img/step1.png)\n\n|a|b|\n|-|-|\n|1|2|\n")
    assert '<img src="/static/img/step1.png" alt="步骤一">' in html
    assert "<table>" in html


def test_plain_text_drops_markup_and_unescapes():
    assert markdown.plain_text("1. 打开 `个人中心 > 安全设置`\n2. **保存**") == "打开 个人中心 > 安全设置 保存"


# --- pictures: this site's only -------------------------------------------------------------------

PICTURE = "/kb/pictures/0123456789abcdef0123456789abcdef.png"


def test_an_uploaded_picture_renders():
    html = markdown.render(f"1. 打开登录页\n\n![登录页]({PICTURE})")
    assert f'<img src="{PICTURE}" alt="登录页">' in html


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example.com/pixel.png",  # another host learns who reads the article
        "http://127.0.0.1:8080/x.png",
        "//evil.example/x.png",  # scheme-relative: another host too
        "data:image/png;base64,iVBORw0KGgo=",  # markdown-it lets data:image through; we do not
        "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "vbscript:msgbox(1)",
        "/static/../tickets/1",  # a same-site address that is not a picture (a GET with an effect)
        "/static/%2e%2e/admin/users",
        "/kb/pictures/%2E%2E/%2E%2E/logout",
        "/static/img\\..\\..\\x.png",
        "/kb/articles/1",  # same site, but no picture folder: a view counted by every reader
        "/kb/pictures/x.png?next=/logout",
        "pictures/x.png",  # relative: depends on the page it is shown on
    ],
)
def test_pictures_from_anywhere_else_lose_their_address(src):
    html = markdown.render(f"![图]({src})")
    assert "src=" not in html and "href=" not in html, html  # an <img> without address, or the text as typed


def test_raw_html_pictures_stay_text_even_with_our_address():
    html = markdown.render(f'<img src="{PICTURE}" onerror="alert(1)">')
    assert "<img" not in html and "&lt;img" in html


def test_a_picture_link_keeps_its_title_but_no_handler():
    html = markdown.render(f'![图]({PICTURE} "登录页")\n\n![x]({PICTURE}"onerror="alert(1))')
    assert f'<img src="{PICTURE}" alt="图" title="登录页">' in html
    assert "onerror=" not in html.replace("&quot;onerror=&quot;", "")


def test_allowed_image_paths():
    assert markdown.allowed_image(PICTURE)
    assert markdown.allowed_image("/static/img/%E6%AD%A5%E9%AA%A4.png")
    assert not markdown.allowed_image("/static/./img.png")
    assert not markdown.allowed_image("/static/img.png#x")
