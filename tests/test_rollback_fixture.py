"""The per-test transaction: what one test writes, even through a service that commits, is gone
in the next; requests through the test client see the test's rows on the same connection."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.extensions import db
from portal.kb.models import Category
from portal.kb.services import create_category
from tests import factories as f


def _names() -> set[str]:
    return set(db.session.scalars(select(User.username)))


def test_a_row_made_here(session):
    f.user(username="left_behind")
    assert "left_behind" in _names()


def test_is_absent_in_the_next_test(session):
    assert "left_behind" not in _names()  # pytest runs the tests of a module in order


def test_a_committing_service_is_rolled_back_too(db_app):
    create_category("回滚测试")  # its own unit of work: commit() releases a savepoint only
    db.session.remove()  # a fresh session on the same transaction still sees it
    assert db.session.scalar(select(func.count(Category.id)).where(Category.name == "回滚测试")) == 1


def test_so_the_committed_category_is_gone(db_app):
    assert db.session.scalar(select(func.count(Category.id)).where(Category.name == "回滚测试")) == 0


def test_requests_see_the_tests_rows_and_the_test_sees_theirs(db_client, db_auth):
    f.user(username="reader", display_name="读者")
    assert db_auth.login("reader").status_code == 303
    assert "读者" in db_client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(User.display_name).where(User.username == "reader")) == "读者"


def test_each_test_has_an_empty_search_index(db_app):
    from portal.search import queue

    store = queue.current_store()
    assert str(db_app.config["SEARCH_INDEX_DIR"]).startswith(str(db_app.instance_path).rsplit("/", 1)[0])
    ix = store.ensure()
    with ix.searcher() as s:
        assert s.doc_count() == 0
