"""The pure query-repair code: folding, pinyin splitting, typo and pinyin correction."""

import pytest

from portal.search import pinyin as py
from portal.search.correction import QueryCorrector
from portal.search.fold import fold
from portal.search.vocabulary import Vocabulary

KB = [
    "忘记登录密码怎么办",
    "在登录页点击忘记密码，按提示重置。",
    "没有审批权限怎么申请",
    "联系部门管理员在系统里为你开通审批权限。",
    "报销单提交后数据错误",
    "撤回报销单，修改金额后重新提交。",
    "如何修改登录密码",
    "进入个人设置，选择修改密码。",
    "手机登录后首页空白",
    "清除缓存后重新登录。",
    "登录时提示账号已锁定",
]


def corrector(extra=()):
    vocab = Vocabulary()
    for text in [*KB, *extra]:
        vocab.add_text(text)
    return QueryCorrector(vocab.finalize())


@pytest.fixture(scope="module")
def fix():
    return corrector()


def test_fold_width_case_traditional():
    assert fold("ＯＡ系統登錄") == "oa系统登录"


def test_split_syllables_prefers_fewest():
    assert py.split_syllables("denglu")[0] == ["deng", "lu"]
    assert ["xi", "an"] in py.split_syllables("xian")
    assert py.split_syllables("wifi") == []


def test_split_initials():
    assert py.split_initials("dlmm") == ["d", "l", "m", "m"]
    assert py.split_initials("zhgl") == ["zh", "g", "l"]
    assert py.split_initials("dla") is None


def test_fuzzy_variants_cover_common_dialect_merges():
    assert {"zhi", "zi"} <= py.fuzzy_variants("zhi")
    assert "lan" in py.fuzzy_variants("nan")


@pytest.mark.parametrize(
    "typed,fixed", [("忘记登陆密码", "忘记登录密码"), ("忘记秘码", "忘记密码"), ("报消单", "报销单")]
)
def test_homophone_typos_are_corrected(fix, typed, fixed):
    result = fix.correct(typed)
    assert result.text == fixed and result.changed


def test_clean_query_is_left_alone(fix):
    assert not fix.correct("如何修改登录密码").changed


@pytest.mark.parametrize("query", ["denglu密码", "deng lu密码", "dlmm", "denglumima"])
def test_pinyin_becomes_chinese(fix, query):
    assert "登录" in fix.correct(query).text


def test_latin_word_used_by_the_kb_is_kept():
    assert corrector(["oa打不开", "清除oa缓存"]).correct("oa打不开").text == "oa打不开"


def test_edits_say_what_changed(fix):
    kinds = {kind for kind, _, _ in fix.correct("denglu秘码").edits}
    assert "pinyin" in kinds and len(kinds) == 2


def test_a_common_word_is_not_broken_into_a_pair_the_kb_never_uses():
    fix = corrector(["账号被动锁定的原因", "系统自动结算", "自动结转"])
    assert "冻结" in fix.correct("账号被冻结了").text
