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


# --- marking a whole rendered page (an article opened from a result) -----------------------------


def test_marks_terms_in_the_text_of_html_only():
    html = '<h2 id="忘记密码">忘记密码</h2><p><a href="/kb/articles/1" title="密码">找回密码</a></p>'
    marked, count = snippets.mark_html(html, ["忘记", "密码"])
    assert str(marked) == (
        '<h2 id="忘记密码"><mark>忘记密码</mark></h2>'
        '<p><a href="/kb/articles/1" title="密码">找回<mark>密码</mark></a></p>'
    )
    assert count == 3  # 忘记 and 密码 next to each other read as one mark, but count as two words


def test_terms_that_are_tag_or_entity_names_touch_no_markup():
    html = '<p class="x">a &amp; b &lt;mark&gt; <img src="/static/mark.png" alt="p amp"></p>'
    marked, count = snippets.mark_html(html, ["p", "amp", "mark", "img", "src", "lt"])
    assert str(marked) == (
        '<p class="x">a &amp; b &lt;<mark>mark</mark>&gt; <img src="/static/mark.png" alt="p amp"></p>'
    )
    assert count == 1


def test_marked_text_is_escaped_again():
    marked, _ = snippets.mark_html("<p>&lt;script&gt;alert(1)&lt;/script&gt; 登录</p>", ["script", "登录"])
    assert "<script" not in str(marked)
    assert str(marked) == "<p>&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>登录</mark></p>"


def test_folding_as_the_search_folds():
    marked, count = snippets.mark_html("<p>ＯＡ系統登錄</p>", ["oa", "登录"])
    assert str(marked) == "<p><mark>ＯＡ</mark>系統<mark>登錄</mark></p>" and count == 2


def test_no_terms_no_change():
    assert snippets.mark_html("<p>x</p>", []) == ("<p>x</p>", 0)
    assert snippets.mark_html("", ["x"]) == ("", 0)
