import pytest

from portal.auth.roles import Role
from portal.core.errors import InvalidInput
from portal.extensions import db
from portal.search import tuning
from tests import factories as f
from tests.conftest import HTMX


def test_parse_synonyms_and_words():
    assert tuning.parse_synonyms("报销, 费用报销\n口令，密码\n\nOA、办公系统") == [
        ["报销", "费用报销"],
        ["口令", "密码"],
        ["oa", "办公系统"],
    ]
    assert tuning.parse_words("统一身份认证\n\n电子签章\n统一身份认证") == ["统一身份认证", "电子签章"]


def test_a_line_that_cannot_work_is_refused_not_dropped(app):
    with app.test_request_context(headers={"Cookie": "portal_lang=en"}):
        with pytest.raises(InvalidInput) as one_word:
            tuning.parse_synonyms("报销, 费用报销\n单独")
        assert set(one_word.value.errors) == {"synonyms"} and "Line 2 (单独)" in one_word.value.errors["synonyms"]
        with pytest.raises(InvalidInput) as short:
            tuning.parse_words("统一身份认证\nx")
        assert set(short.value.errors) == {"words"} and "x" in short.value.errors["words"]


def test_expansions_add_the_other_words_of_a_set():
    sets = (frozenset({"口令", "密码"}), frozenset({"报销", "费用报销"}))
    assert tuning.expansions("忘记口令", sets) == ["密码"]
    assert tuning.expansions("差旅", sets) == []


@pytest.fixture
def world(db_app):
    """A curator, an employee, the sign-in FAQs and a few others in the index, in a rolled-back
    transaction."""
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])
    f.user("zhangwei", display_name="张伟")
    f.reindex(*f.sign_in_faqs(), *f.filler_articles())
    db.session.commit()  # a savepoint only


@pytest.fixture
def client(world, db_client):
    return db_client


def save(client, auth, synonyms="", words=""):
    auth.login("chenjing")
    token = auth.csrf("/search/tuning")
    return client.post("/search/tuning", data={"synonyms": synonyms, "words": words, "csrf_token": token})


def test_a_curator_synonym_takes_effect_without_restart(client, auth):
    before = client.get("/api/v1/search", query_string={"q": "口令"}).get_json()["total"]
    assert save(client, auth, synonyms="口令, 密码").status_code == 303
    after = client.get("/api/v1/search", query_string={"q": "口令"}).get_json()
    assert after["total"] > before and "密码" in after["results"][0]["title"]
    assert "口令, 密码" in client.get("/search/tuning").get_data(as_text=True)


def test_a_domain_word_is_not_corrected_as_a_typo(client, auth):
    f.reindex(f.article("量子纠缠实验室的门禁怎么申请", "向实验室管理员申请。", category="操作指南"))
    db.session.commit()
    assert save(client, auth, words="量子纠缠").status_code == 303
    assert client.get("/api/v1/search", query_string={"q": "量子纠缠"}).get_json()["corrected"] is None


@pytest.mark.parametrize("path", ["/search/analytics", "/search/tuning"])
def test_curator_pages_are_for_curators(client, auth, path):
    assert client.get(path).status_code == 302
    auth.login("zhangwei")
    assert client.get(path).status_code == 403


def test_analytics_lists_zero_result_queries_with_a_write_action(client, auth):
    client.get("/", query_string={"q": "xyzzyplugh"}, headers=HTMX)
    client.get("/", query_string={"q": "忘记密码"})
    auth.login("chenjing")
    html = client.get("/search/analytics?days=7").get_data(as_text=True)
    zero = html[html.index('id="zero-results"') : html.index('id="top-queries"')]
    assert "xyzzyplugh" in zero and "/kb/articles/new?query=xyzzyplugh" in zero  # a draft that says why
    assert "忘记密码" in html[html.index('id="top-queries"') :]
    page = client.get("/kb/articles/new?title=xyzzyplugh").get_data(as_text=True)
    assert 'value="xyzzyplugh"' in page


def test_analytics_bad_period_falls_back(client, auth):
    auth.login("chenjing")
    assert client.get("/search/analytics?days=abc").status_code == 200
