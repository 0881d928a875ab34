import numpy as np

from portal.search import terms


def test_unigrams_bigrams_and_boundaries():
    found = set(terms.keys("登录oa").tolist())
    uni = {(terms.UNI << terms.SHIFT) | ord(c) for c in "登录"}
    bi = (terms.BI << terms.SHIFT) | (ord("登") << 21) | ord("录")
    assert uni <= found and bi in found and terms.latin_key("oa") in found
    assert terms.bigram_chars((terms.BI << terms.SHIFT) | (terms.BOS_CP << 21) | ord("登"), "<", ">") == "<登"
    assert terms.bigram_chars((terms.BI << terms.SHIFT) | (ord("录") << 21) | terms.EOS_CP, "<", ">") == "录>"


def test_no_bigram_across_non_cjk():
    found = set(terms.keys("登 录", boundaries=False).tolist())
    assert (terms.BI << terms.SHIFT) | (ord("登") << 21) | ord("录") not in found


def test_query_keys_count_repeats_and_skip_boundaries():
    found, counts = terms.query_keys("密码密码")
    by_key = dict(zip(found.tolist(), counts.tolist()))
    assert by_key[(terms.UNI << terms.SHIFT) | ord("密")] == 2
    assert all(terms.BOS_CP not in ((k >> 21) & 0x1FFFFF, k & 0x1FFFFF) for k in found.tolist())


def test_latin_keys_are_stable_and_distinct():
    assert terms.latin_key("vpn") == terms.latin_key("vpn") != terms.latin_key("oa")
    assert terms.kind(np.array([terms.latin_key("x")]))[0] == terms.LATIN


def test_empty():
    assert len(terms.keys("")) == 0
