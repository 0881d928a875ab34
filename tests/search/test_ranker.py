"""The ranking core on small hand-built indexes (no database, no Whoosh): BM25F order, the anchor
rule, popularity, filters as masks, facets, empty pools, pagination, the fusion of words and
meaning, and the repair decision that compares word scores."""

import numpy as np
import pytest

from portal.search import blocks, terms
from portal.search.fold import fold
from portal.search.query import repair_earns_its_place
from portal.search.ranker import View, fuse, min_match
from portal.search.semantic_stage import SEMANTIC, Meaning, SemanticConfig

PUBLIC = ["public"]
FILLER = "请按页面提示操作即可完成"  # shares no character with the test queries


def doc(key, title, body=FILLER, **stored):
    return {
        "key": key,
        "title": title,
        "body": body,
        "kind": "faq",
        "category": "操作指南",
        "visibility": "public",
    } | stored


def view_of(*docs, deleted=(), segments=1):
    """A view over `docs` split into `segments` blocks, as an index of several segments is."""
    size = -(-len(docs) // segments)
    parts, offset = [], 0
    for start in range(0, len(docs), size):
        block = blocks.from_stored(list(docs[start : start + size]))
        parts.append((block, offset))
        offset += block.n
    return View(parts, "test", deleted=deleted)


def scores(view, text):
    return view.scores(*terms.query_keys(fold(text)))


def rank(view, text, visibility=PUBLIC, kind=None, category=None, start=0, count=10, **kw):
    return view.rank(
        scores(view, text),
        visibility=visibility,
        kind=kind,
        category=category,
        start=start,
        count=count,
        facets=True,
        **kw,
    )


def keys(view, ranked):
    out = []
    for docnum, _ in ranked.hits:
        block, local = view.locate(docnum)
        out.append(block.doc_keys[local])
    return out


# --- BM25F order -------------------------------------------------------------------------------


def test_a_match_in_the_title_beats_the_same_match_in_the_body():
    view = view_of(
        doc("a:1", "附件内容说明", body="差旅报销流程"),
        doc("a:2", "差旅报销流程", body="附件内容说明"),
    )
    assert keys(view, rank(view, "差旅报销流程")) == ["a:2", "a:1"]


def test_more_matching_terms_beat_fewer():
    view = view_of(
        doc("a:1", "差旅安排说明"),
        doc("a:2", "差旅补贴标准"),
        doc("a:3", "差旅补贴说明"),
    )
    assert keys(view, rank(view, "差旅补贴标准")) == ["a:2", "a:3", "a:1"]


def test_a_rarer_term_weighs_more():
    common = [doc(f"c:{i}", f"报销单据第{i}号") for i in range(8)]
    view = view_of(*common, doc("a:1", "报销须知"), doc("a:2", "发票须知"))
    s = scores(view, "报销 发票")
    rows = {k: s[i] for i, k in enumerate(view.doc_keys())}
    assert rows["a:2"] > rows["a:1"] > 0  # 发票 is in one document, 报销 in nine


def test_a_document_needs_one_of_a_short_querys_bigrams_not_just_its_characters():
    view = view_of(doc("a:1", "登山录像"), doc("a:2", "登录失败"))
    assert keys(view, rank(view, "登录")) == ["a:2"]  # 登 and 录 alone do not make a match


def test_a_long_question_needs_a_fifth_of_its_bigrams():
    assert [min_match(n) for n in (1, 4, 5, 6, 10, 11)] == [1, 1, 1, 2, 2, 3]


def test_popularity_nudges_equal_texts():
    view = view_of(doc("a:1", "密码重置"), doc("a:2", "密码重置", popularity=50))
    s = scores(view, "密码重置")
    assert s[1] / s[0] == pytest.approx(1 + 0.05 * np.log1p(50), rel=1e-5)
    assert keys(view, rank(view, "密码重置")) == ["a:2", "a:1"]


def test_scores_do_not_depend_on_how_documents_are_split_into_segments():
    docs = [doc(f"a:{i}", t) for i, t in enumerate(["报销流程", "报销标准", "差旅报销", "发票报销说明"])]
    one, two = view_of(*docs), view_of(*docs, segments=2)
    assert len(two.parts) == 2
    np.testing.assert_allclose(scores(one, "报销标准"), scores(two, "报销标准"))
    assert keys(one, rank(one, "报销标准")) == keys(two, rank(two, "报销标准"))


def test_equal_scores_keep_document_order():
    view = view_of(*[doc(f"a:{i}", "打印机卡纸") for i in range(6)])
    assert keys(view, rank(view, "打印机")) == [f"a:{i}" for i in range(6)]


# --- filters are masks -------------------------------------------------------------------------


MIXED = [
    doc("a:1", "报销流程", visibility="public"),
    doc("a:2", "报销流程内部版", visibility="internal"),
    doc("a:3", "报销流程草案", visibility="staff"),
    doc("a:4", "报销流程我的", visibility="user:7"),
    doc("m:5", "报销手册", kind="manual", category="财务"),
    doc("m:6", "报销手册旧版", kind="manual", category="财务", edition="2025Q1", archived=True),
    doc("m:7", "报销手册新版", kind="manual", category="财务", edition="2026Q3"),
]


def test_a_document_the_viewer_may_not_see_is_never_counted_faceted_or_returned():
    view = view_of(*MIXED)
    ranked = rank(view, "报销")
    assert set(keys(view, ranked)) == {"a:1", "m:5", "m:7"}
    assert ranked.total == 3
    assert ranked.facets["kind"] == {"manual": 2, "faq": 1}
    assert sum(ranked.facets["category"].values()) == 3

    employee = rank(view, "报销", visibility=["public", "internal", "user:7"])
    assert set(keys(view, employee)) == {"a:1", "a:2", "a:4", "m:5", "m:7"}
    assert employee.total == 5 and employee.facets["kind"] == {"faq": 3, "manual": 2}
    other = rank(view, "报销", visibility=["public", "internal", "user:8"])
    assert "a:4" not in keys(view, other) and other.total == 4


def test_kind_and_category_filter_the_results_and_each_others_facet():
    view = view_of(*MIXED)
    manuals = rank(view, "报销", kind="manual")
    assert set(keys(view, manuals)) == {"m:5", "m:7"} and manuals.total == 2
    assert manuals.facets["category"] == {"财务": 2}  # counted among manuals only
    assert manuals.facets["kind"] == {"manual": 2, "faq": 1}  # the kind facet offers the others
    finance = rank(view, "报销", category="财务")
    assert finance.total == 2 and finance.facets["kind"] == {"manual": 2}
    assert rank(view, "报销", kind="case").total == 0
    assert rank(view, "报销", category="没有这个分类").total == 0


def test_older_editions_are_searched_only_when_named_and_then_alone():
    view = view_of(*MIXED)
    assert "m:6" not in keys(view, rank(view, "报销手册"))
    older = rank(view, "报销手册", edition="2025Q1")
    assert keys(view, older) == ["m:6"] and older.total == 1
    assert keys(view, rank(view, "报销手册", edition="2026Q3")) == ["m:7"]
    assert rank(view, "报销手册", edition="1999Q1").total == 0


def test_a_document_updated_more_often_than_the_index_has_documents_is_still_found():
    """Old copies of an updated document stay in the postings (deleted) until a merge; they must
    not make the live copy's own words weigh less than nothing."""
    copies = [doc("ticket:7", "打印机无法连接网络") for _ in range(4)]
    view = view_of(*copies, doc("a:2", "差旅补贴标准"), deleted=[0, 1, 2])
    ranked = rank(view, "打印机无法连接")
    assert keys(view, ranked) == ["ticket:7"]
    assert ranked.hits[0][1] > 0


def test_a_deleted_document_is_never_counted():
    others = [doc(f"o:{i}", "打印机卡纸") for i in range(3)]
    view = view_of(doc("a:1", "报销流程"), doc("a:2", "报销流程"), *others, deleted=[0])
    ranked = rank(view, "报销")
    assert keys(view, ranked) == ["a:2"] and ranked.total == 1 and ranked.facets["kind"] == {"faq": 1}
    assert view.n_live == 4


def test_best_is_the_top_score_the_viewer_may_see():
    view = view_of(doc("a:1", "报销流程", visibility="internal"), doc("a:2", "报销", body="报销"))
    s = scores(view, "报销流程")
    assert view.best(s, ["public", "internal"]) == pytest.approx(s[0])
    assert view.best(s, PUBLIC) == pytest.approx(s[1]) and s[1] < s[0]


# --- empty pools -------------------------------------------------------------------------------


def test_an_index_without_documents_ranks_nothing():
    view = View([], "empty")
    assert view.size == 0
    ranked = rank(view, "报销", meaning=Meaning(np.zeros(0, np.float32), np.zeros(0, bool)))
    assert ranked.total == 0 and ranked.hits == [] and ranked.best == 0.0
    assert ranked.facets == {"kind": {}, "category": {}}
    assert view.best(scores(view, "报销"), PUBLIC) == 0.0


@pytest.mark.parametrize(
    "text, visibility",
    [("鲸鱼", PUBLIC), ("", PUBLIC), ("。，！", PUBLIC), ("报销", ["nobody"])],
    ids=["no matching term", "empty query", "punctuation only", "all masked"],
)
def test_nothing_to_find_is_zero_results_not_an_error(text, visibility):
    view = view_of(*MIXED)
    cosine = np.full(view.size, 0.9, dtype=np.float32)
    for meaning in (None, Meaning(cosine, np.ones(view.size, bool))):
        ranked = rank(view, text, visibility=visibility, meaning=meaning)
        assert ranked.total == 0 and ranked.hits == []
        assert ranked.facets == {"kind": {}, "category": {}}


# --- pagination --------------------------------------------------------------------------------


def test_pages_split_one_order_and_the_total_counts_every_match():
    view = view_of(*[doc(f"a:{i}", "打印机" + "卡纸" * (i % 5), popularity=i) for i in range(23)])
    full = keys(view, rank(view, "打印机卡纸", count=100))
    pages = [keys(view, rank(view, "打印机卡纸", start=s, count=10)) for s in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 3]
    assert pages[0] + pages[1] + pages[2] == full and len(set(full)) == 23
    beyond = rank(view, "打印机卡纸", start=30, count=10)
    assert beyond.hits == [] and beyond.total == 23


# --- fusion of words and meaning ---------------------------------------------------------------


def test_fusion_gives_the_meaning_seven_tenths_and_the_words_three():
    lexical = np.array([10.0, 2.0, 6.0])
    semantic = np.array([0.4, 0.9, 0.65], dtype=np.float32)
    order = fuse(lexical, semantic, np.arange(3))
    # min-max within the head: doc 0 is best by words, doc 1 best by meaning, doc 2 half-way on both
    assert order[0] == pytest.approx(2.0 + 0.3)
    assert order[1] == pytest.approx(2.0 + 0.7)
    assert order[2] == pytest.approx(2.0 + 0.3 * 0.5 + 0.7 * 0.5)
    assert order[1] > order[2] > order[0]  # strong in meaning, weak in words wins


def test_with_the_weights_reversed_the_words_win():
    lexical = np.array([10.0, 2.0])
    semantic = np.array([0.4, 0.9], dtype=np.float32)
    words_first = SemanticConfig(weight=0.2)
    order = fuse(lexical, semantic, np.arange(2), config=words_first)
    assert order[0] == pytest.approx(2.8) and order[1] == pytest.approx(2.2)


def test_a_document_without_a_vector_counts_its_words_for_its_meaning():
    lexical = np.array([10.0, 2.0, 6.0])
    semantic = np.array([0.4, 0.0, 0.9], dtype=np.float32)
    order = fuse(lexical, semantic, np.arange(3), has_vector=np.array([True, False, True]))
    assert order[1] == pytest.approx(2.0)  # weakest by words, and so by "meaning" too
    assert order[2] == pytest.approx(2.0 + 0.3 * 0.5 + 0.7)


def test_the_fused_head_ranks_above_the_rest_which_follow_by_words():
    lexical = np.array([9.0, 8.0, 7.0, 1.0, 0.5])
    semantic = np.array([0.1, 0.2, 0.3, 0.8, 0.9], dtype=np.float32)
    order = fuse(lexical, semantic, np.arange(5), config=SemanticConfig(pool=1))
    head = {0, 4}  # best by words, best by meaning
    assert all(order[i] >= 2.0 for i in head) and all(order[i] < 2.0 for i in set(range(5)) - head)
    assert order[1] > order[2] > order[3]
    assert order[4] > order[0]


def test_rank_fuses_with_the_given_meaning():
    view = view_of(doc("a:1", "报销流程报销"), doc("a:2", "报销须知", body="流程说明"))
    by_words = keys(view, rank(view, "报销流程"))
    assert by_words == ["a:1", "a:2"]
    meaning = Meaning(np.array([0.30, 0.80], dtype=np.float32), np.ones(2, bool))
    assert keys(view, rank(view, "报销流程", meaning=meaning)) == ["a:2", "a:1"]
    assert keys(view, rank(view, "报销流程", meaning=meaning, config=SemanticConfig(weight=0.0))) == by_words


def test_the_default_config_is_the_measured_one():
    assert (SEMANTIC.lexical_weight, SEMANTIC.weight, SEMANTIC.floor) == pytest.approx((0.3, 0.7, 0.35))
    assert (SEMANTIC.pool, SEMANTIC.full_scan, SEMANTIC.rerank) == (50, 50_000, 4_000)


# --- the repair decision -----------------------------------------------------------------------


def test_a_repair_is_kept_only_when_it_matches_at_least_as_well():
    view = view_of(doc("a:1", "登录密码重置"), doc("a:2", "登陆须知", visibility="internal"))
    typed, repaired = scores(view, "登陆密码"), scores(view, "登录密码")
    assert repair_earns_its_place(view, typed, repaired, PUBLIC, None)
    assert not repair_earns_its_place(view, repaired, typed, PUBLIC, None)
    assert repair_earns_its_place(view, repaired, repaired, PUBLIC, None)  # a tie keeps the repair
    nothing = scores(view, "鲸鱼")
    assert not repair_earns_its_place(view, nothing, nothing, PUBLIC, None)  # matches nothing
    hidden_only = scores(view, "登陆须知")
    assert not repair_earns_its_place(view, nothing, hidden_only, PUBLIC, None)  # only a hidden match
