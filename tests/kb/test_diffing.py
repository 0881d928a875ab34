"""The difference between two versions (pure): changed fields, changed lines, marked characters."""

from portal.kb import diffing


def texts(rows):
    return [(r.kind, "".join(s.text for s in r.segments)) for r in rows]


def marked(row):
    return [s.text for s in row.segments if s.changed]


def test_the_same_text_has_no_rows():
    assert diffing.body_diff("一\n二", "一\n二") == []
    assert diffing.body_diff("", "") == []


def test_a_changed_line_is_shown_removed_then_added_with_the_changed_characters_marked():
    rows = diffing.body_diff("第一步\n密码有效期为 180 天\n第三步", "第一步\n密码有效期为 90 天\n第三步")
    assert texts(rows) == [
        ("same", "第一步"),
        ("del", "密码有效期为 180 天"),
        ("ins", "密码有效期为 90 天"),
        ("same", "第三步"),
    ]
    removed, added = rows[1], rows[2]
    assert marked(removed) == ["18"] and marked(added) == ["9"]
    assert (removed.old_no, removed.new_no, added.old_no, added.new_no) == (2, None, None, 2)
    assert diffing.counts(rows) == (1, 1)


def test_lines_that_share_little_are_marked_whole():
    rows = diffing.body_diff("打开登录页", "联系管理员重置")
    assert texts(rows) == [("del", "打开登录页"), ("ins", "联系管理员重置")]
    assert all(s.changed for r in rows for s in r.segments)


def test_added_and_removed_lines_and_long_unchanged_stretches_fold():
    old = "\n".join(f"第{i}行" for i in range(1, 21))
    new = old.replace("第10行", "第10行\n新增的一行").replace("第20行\n", "").removesuffix("\n第20行")
    rows = diffing.body_diff(old, new, context=2)
    kinds = [r.kind for r in rows]
    assert kinds[0] == "gap" and rows[0].skipped == 8  # lines 1–8 folded
    assert ("ins", "新增的一行") in texts(rows) and ("del", "第20行") in texts(rows)
    assert "gap" in kinds[1:-1]  # between the two changes
    assert sum(r.skipped for r in rows) + sum(r.kind == "same" for r in rows) == 19  # every kept line counted once


def test_texts_are_never_markup_here():
    rows = diffing.body_diff("<b>a</b>", "<script>x()</script>")
    assert texts(rows) == [("del", "<b>a</b>"), ("ins", "<script>x()</script>")]  # the template escapes


def test_field_changes():
    old = {"title": "旧标题", "category": "登录问题", "kind": "FAQ"}
    new = {"title": "新标题", "category": "登录问题", "kind": "FAQ"}
    assert diffing.field_changes(old, new) == [diffing.FieldChange("title", "旧标题", "新标题")]
    assert diffing.field_changes(old, old) == []
