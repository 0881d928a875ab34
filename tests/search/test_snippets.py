from portal.search import snippets


def test_marks_every_term_and_escapes_html():
    html = snippets.highlight("<b>忘记密码</b>怎么办", ["忘记", "密码"], width=None)
    assert str(html) == "&lt;b&gt;<mark>忘记</mark><mark>密码</mark>&lt;/b&gt;怎么办"


def test_longer_terms_win_overlaps_and_full_width_text_matches():
    assert snippets.spans("用户名错误", ["用户", "用户名"]) == [(0, 3)]
    assert str(snippets.highlight("ＯＡ登录", ["oa"], width=None)) == "<mark>ＯＡ</mark>登录"


def test_window_shows_the_densest_part_with_ellipses():
    text = "无关内容。" * 40 + "重置密码需要验证码" + "其他说明。" * 40
    html = str(snippets.highlight(text, ["密码", "验证码"], width=60))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>密码</mark>" in html and "<mark>验证码</mark>" in html


def test_no_match_gives_the_beginning():
    assert str(snippets.highlight("第一段说明文字", ["不存在"], width=4)) == "第一段说…"


def test_empty_text():
    assert str(snippets.highlight("", ["x"])) == ""
