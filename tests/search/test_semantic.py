"""The meaning stage on hand-built vectors: which documents it compares, the semantic floor, masks,
the vectors aligned with the ranking view; one test on the real encoder (a paraphrase)."""

import numpy as np

from portal.search import semantic, semantic_stage
from portal.search.semantic_stage import Meaning, SemanticConfig, Vectors

from .test_ranker import doc, keys, rank, scores, view_of

DIM = 4


def unit(*xs):
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def vectors(*rows):
    matrix = np.array(rows, dtype=np.float32).reshape(len(rows), -1)
    return Vectors(matrix=matrix, present=matrix.any(axis=1))


def meaning(*cosines):
    c = np.array(cosines, dtype=np.float32)
    return Meaning(cosine=c, has_vector=np.ones(len(c), bool))


# --- which documents the stage compares --------------------------------------------------------


def test_a_small_index_compares_every_vector():
    q = unit(1, 0, 0, 0)
    vecs = vectors(unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(1, 1, 0, 0))
    found = semantic_stage.compare(vecs, q, np.array([0.0, 0.0, 3.0]))
    np.testing.assert_allclose(found.cosine, [1.0, 0.0, np.sqrt(0.5)], rtol=1e-6)
    assert found.has_vector.all()


def test_a_large_index_compares_only_the_best_word_matches():
    small = SemanticConfig(full_scan=4, rerank=2)
    lexical = np.array([0.0, 5.0, 1.0, 7.0, 3.0, 0.0])
    assert semantic_stage.candidates(lexical[:4], small) is None  # up to full_scan: all of them
    assert semantic_stage.candidates(lexical, small).tolist() == [1, 3]  # the two best, in order
    assert semantic_stage.candidates(lexical, SemanticConfig(full_scan=4, rerank=10)).tolist() == [1, 2, 3, 4]

    q = unit(1, 0, 0, 0)
    vecs = vectors(*[unit(1, 0, 0, 0)] * 6)
    found = semantic_stage.compare(vecs, q, lexical, small)
    np.testing.assert_allclose(found.cosine, [0, 1, 0, 1, 0, 0], atol=1e-6)  # the rest never compared


def test_documents_without_a_vector_are_marked():
    vecs = vectors(unit(1, 0, 0, 0), [0, 0, 0, 0])
    assert vecs.any and vecs.present.tolist() == [True, False]
    assert not vectors([0, 0, 0, 0]).any


# --- the floor ---------------------------------------------------------------------------------


def floor_view():
    return view_of(
        doc("a:1", "报销流程"),  # shares words with the query
        doc("p:2", "差旅补贴标准"),  # no word in common: only its meaning can bring it
        doc("p:3", "发票丢失怎么办"),  # no word in common
        doc("p:4", "出差住宿标准", visibility="internal"),  # no word in common, hidden
    )


def test_a_document_sharing_no_word_becomes_a_result_only_above_the_floor():
    view = floor_view()
    assert keys(view, rank(view, "报销流程")) == ["a:1"]
    ranked = rank(view, "报销流程", meaning=meaning(0.5, 0.36, 0.34, 0.9))
    assert set(keys(view, ranked)) == {"a:1", "p:2"} and ranked.total == 2
    assert ranked.facets["kind"] == {"faq": 2}
    at_floor = rank(view, "报销流程", meaning=meaning(0.5, 0.35, 0.0, 0.0))
    assert "p:2" in keys(view, at_floor)  # the floor itself is enough


def test_the_floor_comes_from_the_config():
    view = floor_view()
    strict = rank(view, "报销流程", meaning=meaning(0.5, 0.36, 0.34, 0.9), config=SemanticConfig(floor=0.6))
    assert keys(view, strict) == ["a:1"]
    loose = rank(view, "报销流程", meaning=meaning(0.5, 0.36, 0.34, 0.9), config=SemanticConfig(floor=0.3))
    assert set(keys(view, loose)) == {"a:1", "p:2", "p:3"}


def test_a_hidden_document_stays_hidden_however_close_its_meaning():
    view = floor_view()
    ranked = rank(view, "报销流程", meaning=meaning(0.5, 0.0, 0.0, 0.99))
    assert keys(view, ranked) == ["a:1"] and ranked.total == 1
    staff = rank(view, "报销流程", visibility=["public", "internal"], meaning=meaning(0.5, 0.0, 0.0, 0.99))
    assert keys(view, staff) == ["p:4", "a:1"]  # best by meaning, the words' match second


def test_without_any_word_match_the_meaning_finds_nothing():
    view = floor_view()
    ranked = rank(view, "鲸鱼馆", meaning=meaning(0.9, 0.9, 0.9, 0.9))
    assert ranked.total == 0 and ranked.hits == []


def test_a_document_above_the_floor_is_ranked_by_its_meaning():
    view = floor_view()
    ranked = rank(view, "报销流程", meaning=meaning(0.40, 0.80, 0.0, 0.0))
    assert keys(view, ranked) == ["p:2", "a:1"]  # 0.7 of the order is the meaning


# --- vectors aligned with the view -------------------------------------------------------------


def test_vectors_are_aligned_with_the_views_document_numbers_and_kept_on_it(monkeypatch):
    view = view_of(doc("a:1", "报销流程"), doc("a:2", "打印机"), doc("a:3", "差旅"), segments=2)
    cache = semantic.VectorCache()
    version = {"n": 1}
    monkeypatch.setattr(cache, "refresh", lambda name: version["n"])
    stored = {"a:3": np.ones(semantic.DIM, np.float16), "a:1": np.full(semantic.DIM, 0.5, np.float16)}
    cache._vectors["db"] = stored  # what refresh would have read from doc_vectors

    first = cache.aligned("db", view)
    assert first.matrix.shape == (3, semantic.DIM)
    assert first.present.tolist() == [True, False, True]
    assert first.matrix[0, 0] == 0.5 and first.matrix[2, 0] == 1.0
    assert cache.aligned("db", view) is first  # built once per view and version

    stored["a:2"] = np.ones(semantic.DIM, np.float16)
    version["n"] = 2
    assert cache.aligned("db", view).present.all()


def test_a_views_derived_data_is_rebuilt_only_for_a_new_version():
    view = view_of(doc("a:1", "报销"))
    built = []

    def build(v):
        built.append(v.size)
        return len(built)

    assert view.derived("x", 1, build) == 1
    assert view.derived("x", 1, build) == 1
    assert view.derived("x", 2, build) == 2
    assert view.derived("y", 2, build) == 3
    assert list(view.doc_keys()) == ["a:1"]


# --- the real encoder --------------------------------------------------------------------------


def test_a_paraphrase_ranks_above_an_unrelated_sentence_with_the_real_encoder():
    query = "怎么修改登录密码"
    docs = [
        doc("a:1", "登录密码忘了怎么办", body=""),  # shares words with the query
        doc("a:2", "如何更改账号的口令", body=""),  # the same question, no word in common
        doc("a:3", "食堂今天中午吃什么", body=""),  # unrelated
    ]
    view = view_of(*docs)
    matrix = semantic.encode([semantic.doc_text(d["title"], d["body"]) for d in docs])
    found = semantic_stage.compare(
        Vectors(matrix, matrix.any(axis=1)), semantic.encode([query])[0], scores(view, query)
    )
    paraphrase, unrelated = found.cosine[1], found.cosine[2]
    assert paraphrase > semantic_stage.SEMANTIC.floor > unrelated
    assert keys(view, rank(view, query)) == ["a:1"]  # by words alone the paraphrase is missed
    assert keys(view, rank(view, query, meaning=found)) == ["a:1", "a:2"]  # the unrelated one stays out
