from portal.search.completion import word_starts
from portal.search.suggest import Entry, Suggester


def make(*entries):
    return Suggester(list(entries), word_starts)


def test_chinese_pinyin_and_initial_prefixes():
    s = make(
        Entry("报错信息怎么查看", 5, "title"),
        Entry("报销单无法提交", 9, "title"),
        Entry("如何修改登录密码", 1, "title"),
    )
    assert [e.text for e in s.suggest("报错", public_only=False)] == ["报错信息怎么查看"]
    assert [e.text for e in s.suggest("bx", public_only=False)] == ["报销单无法提交"]
    assert [e.text for e in s.suggest("baoxiao", public_only=False)] == ["报销单无法提交"]
    assert [e.text for e in s.suggest("mima", public_only=False)] == ["如何修改登录密码"]
    assert [e.text for e in s.suggest("登录", public_only=False)] == ["如何修改登录密码"]


def test_popular_queries_first_among_prefix_matches_and_no_duplicates():
    s = make(Entry("忘记密码怎么办", 50, "title"), Entry("忘记密码", 3, "query"), Entry("忘记密码", 1, "title"))
    assert [e.text for e in s.suggest("忘记", public_only=False)] == ["忘记密码", "忘记密码怎么办"]


def test_internal_titles_are_not_suggested_to_anonymous_visitors():
    s = make(Entry("机房巡检流程", 1, "title", public=False))
    assert s.suggest("机房", public_only=True) == []
    assert len(s.suggest("机房", public_only=False)) == 1


def test_nothing_for_empty_or_unknown_prefix():
    s = make(Entry("报销", 1, "title"))
    assert s.suggest("", public_only=False) == [] and s.suggest("zzz", public_only=False) == []
