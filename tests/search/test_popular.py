"""The popular-search rule (portal/search/popular.py) on plain values: who counts, what is offered."""

from __future__ import annotations

import pytest

from portal.search.popular import Logged, Popular, Rule, counts, popular

PUBLIC = {"article:1", "article:2", "article:3"}
RULE = Rule(min_users=3, shown=3)


def search(query="报销单打印", *, typed=None, who="p1", source="web", corrected=False, shown=("article:1",)):
    return Logged(query, query if typed is None else typed, corrected, source, who, tuple(shown))


def offered(*searches, rule=RULE):
    return popular(searches, PUBLIC.__contains__, rule)


def test_two_people_are_not_enough_three_are():
    assert offered(search(who="p1"), search(who="p2")) == []
    assert offered(search(who="p1"), search(who="p2"), search(who="p3")) == [Popular("报销单打印", 3)]


def test_one_person_searching_again_and_again_counts_once():
    assert offered(*(search(who="p1") for _ in range(10)), search(who="p2")) == []


def test_the_threshold_is_the_rules():
    two = Rule(min_users=2)
    assert offered(search(who="p1"), search(who="p2"), rule=two) == [Popular("报销单打印", 2)]
    with pytest.raises(ValueError):
        Rule(min_users=1)
    with pytest.raises(ValueError):
        Rule(shown=0)


@pytest.mark.parametrize(
    "excluded",
    [
        pytest.param(search(who=None), id="anonymous"),
        pytest.param(search(who=""), id="no-mark"),
        pytest.param(search(source="api"), id="api"),
        pytest.param(search(corrected=True), id="repaired"),
        pytest.param(search(shown=()), id="nothing-shown"),
        pytest.param(search(shown=("article:1", "article:9")), id="an-internal-result-shown"),
        pytest.param(search(query="报销单", typed="baoxiaodan"), id="searched-is-not-what-was-typed"),
    ],
)
def test_searches_that_do_not_count(excluded):
    assert counts(search(), PUBLIC.__contains__)
    assert not counts(excluded, PUBLIC.__contains__)
    assert offered(search(who="p1"), search(who="p2"), excluded) == []


def test_many_cookie_less_calls_with_a_phishing_text_never_become_popular():
    phishing = "请加qq群 123456 代办解锁"
    calls = [search(phishing, source="api", who=None) for _ in range(50)]
    calls += [search(phishing, who=None) for _ in range(50)]  # anonymous on the web page
    assert offered(*calls) == []


def test_an_internal_article_at_the_top_keeps_the_text_away_from_everyone():
    internal = [search("2027年薪酬调整方案", who=p, shown=("article:9", "article:1")) for p in ("p1", "p2", "p3", "p4")]
    assert offered(*internal) == []


def test_the_text_offered_is_the_spelling_people_typed_most():
    found = offered(
        search("vpn 连不上", typed="VPN  连不上", who="p1"),
        search("vpn 连不上", typed="VPN 连不上", who="p2"),
        search("vpn 连不上", typed="vpn 连不上", who="p3"),
    )
    assert found == [Popular("VPN 连不上", 3)]  # spaces collapsed, case as typed


def test_most_people_first_then_by_text_and_at_most_limit():
    many = [search("打印机", who=f"a{n}") for n in range(5)]
    few = [search("报销", who=f"b{n}") for n in range(3)] + [search("密码", who=f"c{n}") for n in range(3)]
    # ties in text order: 密 (U+5BC6) before 报 (U+62A5)
    assert offered(*few, *many) == [Popular("打印机", 5), Popular("密码", 3), Popular("报销", 3)]
    assert popular([*few, *many], PUBLIC.__contains__, RULE, limit=1) == [Popular("打印机", 5)]
