import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.search.models import SearchClick, SearchLog
from tests.conftest import HTMX


def logs(app):
    with app.app_context():
        return db.session.execute(
            select(SearchLog.query, SearchLog.hits, SearchLog.clicks).order_by(SearchLog.id)
        ).all()


def test_typing_refines_one_log_row_and_a_new_query_adds_one(client, demo_app):
    for partial in ("忘", "忘记", "忘记密码"):
        client.get("/", query_string={"q": partial}, headers=HTMX)
    client.get("/", query_string={"q": "报销"}, headers=HTMX)
    rows = logs(demo_app)
    assert [r.query for r in rows] == ["忘记密码", "报销"] and rows[0].hits > 0


def test_log_keeps_no_user_identity(client, auth, demo_app):
    auth.login("zhangwei")
    client.get("/", query_string={"q": "报销"})
    with demo_app.app_context():
        columns = set(SearchLog.__table__.columns.keys())
    assert not {"user_id", "username", "ip", "remote_addr"} & columns


def test_clicking_a_result_is_counted_for_the_search(client, demo_app):
    html = client.get("/", query_string={"q": "忘记密码"}).get_data(as_text=True)
    link = re.search(r'<h3><a href="(/kb/articles/\d+\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "s=" in link and "r=1" in link
    client.get(link)
    assert logs(demo_app)[0].clicks == 1
    with demo_app.app_context():
        assert db.session.scalar(select(func.count(SearchClick.id))) == 1


def test_a_click_for_another_sessions_search_is_ignored(client, demo_app):
    client.get("/", query_string={"q": "忘记密码"})
    other = demo_app.test_client()
    other.get("/kb/articles/1?s=1&r=1")
    assert logs(demo_app)[0].clicks == 0


def test_suggest_fragment_and_api(client):
    html = client.get("/search/suggest", query_string={"q": "bx"}, headers=HTMX).get_data(as_text=True)
    assert html.startswith('<ul id="suggestions"') and "报销" in html
    data = client.get("/api/v1/suggest", query_string={"q": "报销"}).get_json()
    assert data["suggestions"] and all("报销" in s["text"] for s in data["suggestions"][:3])
    assert client.get("/api/v1/suggest").status_code == 400


def test_popular_searches_become_suggestions(client, demo_app):
    """Three people signed in on the web searched it; anonymous visitors are offered it too."""
    from portal.search import completion
    from tests.conftest import Auth

    for username in ("zhangwei", "chenjing", "jiangtao"):
        other = demo_app.test_client()
        Auth(other).login(username)
        other.get("/", query_string={"q": "报销单打印"})
    completion.invalidate()
    data = client.get("/api/v1/suggest", query_string={"q": "bxd"}).get_json()
    assert {"text": "报销单打印", "kind": "query", "url": None} in data["suggestions"]


def test_old_searches_are_pruned(client, demo_app):
    from datetime import timedelta

    from portal.core.clock import utcnow
    from portal.search import log

    client.get("/", query_string={"q": "报销"})
    with demo_app.app_context():
        assert log.prune(now=utcnow()) == 0
        assert log.prune(now=utcnow() + log.KEEP + timedelta(days=1)) == 1
        assert db.session.scalar(select(func.count(SearchLog.id))) == 0
