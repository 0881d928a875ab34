"""The search box leads to the quizzes and verifies certificate codes."""

import pytest

from portal.quiz import shortcuts


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("QZ-7K4M-9TXD-2PHF", "QZ-7K4M-9TXD-2PHF"),
        ("证书 qz7k4m9txd2phf 真的吗", "qz7k4m9txd2phf"),
        ("QZ-7K4M", None),
        ("忘记密码", None),
    ],
)
def test_codes_in_queries(query, code):
    assert shortcuts.certificate_code(query) == code


def test_queries_about_quizzes():
    assert shortcuts.about_quizzes("初级认证怎么考") and shortcuts.about_quizzes("Certification exam")
    assert not shortcuts.about_quizzes("报销单被退回")


def test_the_search_page_offers_the_quiz_and_the_verification(client, auth):
    auth.login("zhangwei")
    html = client.get("/", query_string={"q": "认证考试"}).get_data(as_text=True)
    assert 'id="quiz-shortcuts"' in html and 'href="/quiz/"' in html
    html = client.get("/", query_string={"q": "QZ-7K4M-9TXD-2PHF"}).get_data(as_text=True)
    assert 'href="/quiz/verify?code=QZ-7K4M-9TXD-2PHF"' in html
    assert 'id="quiz-shortcuts"' not in client.get("/", query_string={"q": "忘记密码"}).get_data(as_text=True)
