"""Unit tests of the pure search-quality modules (no eval data needed).

    PYTHONPATH=bench python -m pytest bench/search_quality/test_search_quality.py
"""
from __future__ import annotations

import numpy as np
import pytest

from search_quality import pinyin as py
from search_quality.adapter import FaqSearch
from search_quality.normalize import fold
from search_quality.ranking import top_k

KB = [
    {"external_id": "a1", "title": "忘记登录密码怎么办", "body": "在登录页点击忘记密码，按提示重置。"},
    {"external_id": "a2", "title": "没有审批权限怎么申请", "body": "联系部门管理员在系统里为你开通审批权限。"},
    {"external_id": "a3", "title": "报销单提交后数据错误", "body": "撤回报销单，修改金额后重新提交。"},
    {"external_id": "a4", "title": "如何修改登录密码", "body": "进入个人设置，选择修改密码。"},
]


@pytest.fixture(scope="module")
def engine():
    e = FaqSearch()
    e.build(KB)
    return e


def test_fold_width_case_traditional():
    assert fold("ＯＡ系統登錄") == "oa系统登录"


def test_split_syllables_prefers_fewest():
    assert py.split_syllables("denglu")[0] == ["deng", "lu"]
    assert ["xian"] in py.split_syllables("xian") and ["xi", "an"] in py.split_syllables("xian")
    assert py.split_syllables("wifi") == []


def test_split_initials():
    assert py.split_initials("dlmm") == ["d", "l", "m", "m"]
    assert py.split_initials("zhgl") == ["zh", "g", "l"]
    assert py.split_initials("dla") is None


def test_fuzzy_variants():
    assert {"zhi", "zi"} <= py.fuzzy_variants("zhi")
    assert "lan" in py.fuzzy_variants("nan")


def test_top_k_is_stable_on_ties():
    scores = np.array([0.0, 2.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    ids = [str(i) for i in range(len(scores))]
    assert [d for d, _ in top_k(scores, 2, ids)] == ["1", "3"]
    assert [d for d, _ in top_k(scores, 10, ids)] == ["1", "3", "2"]


def test_homophone_typo_is_corrected(engine):
    fixed = engine.repair("忘记登陆密码")
    assert fixed.text == "忘记登录密码" and fixed.changed


def test_clean_query_is_left_alone(engine):
    assert not engine.repair("如何修改登录密码").changed


@pytest.mark.parametrize("query", ["denglu密码", "deng lu密码", "dlmm"])
def test_pinyin_becomes_chinese(engine, query):
    assert "登录" in engine.repair(query).text


def test_latin_word_used_by_kb_is_kept():
    e = FaqSearch()
    e.build(KB + [{"external_id": "a5", "title": "oa打不开", "body": "清除oa缓存"}])
    assert e.repair("oa打不开").text == "oa打不开"


def test_search_ranks_the_matching_article_first(engine):
    _, hits = engine.search("审批权线", 3)
    assert hits[0][0] == "a2"
