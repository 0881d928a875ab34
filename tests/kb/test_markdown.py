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
