"""Unit tests on made-up FAQ titles (no eval data): loading offline, fusion rules, adapters.

    cd /work/main/bench && PYTHONPATH=/work/main/bench:/work/main python -m pytest -q semantic/test_semantic.py
"""
import numpy as np
import pytest

from semantic.encoders import E5Encoder, UseEncoder, _doc_text
from semantic.hybrid import HybridSearch

ARTICLES = [
    {"external_id": "lock", "title": "账户被锁定后如何解锁", "body": "", "category": ""},
    {"external_id": "refund", "title": "退款多久能到账", "body": "", "category": ""},
    {"external_id": "password", "title": "忘记登录密码怎么办", "body": "在登录页点击忘记密码，按提示重置。", "category": ""},
    {"external_id": "invoice", "title": "如何申请开具发票", "body": "", "category": ""},
    {"external_id": "vpn", "title": "VPN 连接失败的排查步骤", "body": "", "category": ""},
]


@pytest.fixture(scope="module", params=["e5", "use"])
def encoder(request):
    return E5Encoder() if request.param == "e5" else UseEncoder()


def test_vectors_are_unit_length(encoder):
    v = encoder.encode_docs([_doc_text(a) for a in ARTICLES])
    assert v.shape == (len(ARTICLES), encoder.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert np.isclose(np.linalg.norm(encoder.encode_query("发票")), 1.0, atol=1e-3)


def test_doc_text_caps_length():
    art = {"title": "标题", "body": "正" * 500}
    assert _doc_text(art).startswith("标题\n") and len(_doc_text(art)) == 128
    assert len(_doc_text(art, None)) == 503


@pytest.mark.parametrize("mode", ["embed", "rrf", "mix"])
def test_paraphrase_found(encoder, mode):
    eng = HybridSearch(encoder, mode=mode)
    eng.build(ARTICLES)
    # shares no word with "被锁定/解锁": only the meaning matches
    _, hits = eng.search("我的账号被冻结了", 3)
    assert hits[0][0] == "lock"


def test_modes_agree_on_exact_title():
    eng = HybridSearch(E5Encoder(), mode="lexical")
    eng.build(ARTICLES)
    for mode in ("lexical", "embed", "rrf", "mix"):
        eng.mode = mode
        assert eng.search("如何申请开具发票", 1)[1][0][0] == "invoice"


def test_projection_keeps_unit_length():
    eng = HybridSearch(E5Encoder(), mode="mix", dims=3)
    eng.build(ARTICLES)
    assert eng.vectors.shape == (len(ARTICLES), 3)
    assert np.allclose(np.linalg.norm(eng.vectors, axis=1), 1.0, atol=1e-4)
    assert len(eng.search("发票", 3)[1]) == 3


def test_fusion_is_deterministic_on_ties():
    eng = HybridSearch(None, mode="rrf")
    eng.ids = [str(i) for i in range(6)]
    lex = np.array([0, 2, 2, 0, 1, 0], dtype=np.float64)
    emb = np.array([0.1, 0.2, 0.2, 0.9, 0.1, 0.1], dtype=np.float32)
    first = eng.fuse(lex, emb, 6)
    assert first == eng.fuse(lex, emb, 6)
    eng.mode = "mix"
    ranked = [i for i, _ in eng.fuse(lex, emb, 6)]
    assert ranked[:3] == [1, 2, 3]
