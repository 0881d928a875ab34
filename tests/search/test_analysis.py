from portal.search import analysis


def test_normalize_folds_full_width_and_case_keeping_length():
    text = "ＵＫｅｙ　登录ＯＡ"
    folded = analysis.normalize(text)
    assert folded == "ukey 登录oa"
    assert len(folded) == len(text)


def test_tokens_carry_offsets_into_the_original_text():
    text = "忘记ＯＡ登录密码怎么办？"
    for tok in analysis.tokens(text):
        assert analysis.normalize(text[tok.start : tok.end]) == tok.text


def test_search_mode_yields_words_and_sub_words():
    assert {"用户", "用户名", "密码", "错误"} <= set(analysis.terms("提示用户名或密码错误"))


def test_punctuation_and_function_words_are_dropped():
    terms = analysis.terms("我的密码是什么？！")
    assert "？" not in terms and "的" not in terms and "我" not in terms
    assert "密码" in terms


def test_whoosh_syntax_is_just_text():
    assert analysis.terms('AND OR ( * "') == []
    assert analysis.terms("密码 AND 登录") == ["密码", "登录"]


def test_terms_are_distinct_in_first_seen_order():
    assert analysis.terms("密码 密码 登录") == ["密码", "登录"]


def test_empty_text_has_no_terms():
    assert analysis.terms("") == []
    assert analysis.terms("   ") == []
