"""The index path: after-commit updates through the queue, durability, rebuild, drift repair."""

import time

from sqlalchemy import select

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.viewer import ANONYMOUS, Viewer
from portal.extensions import db
from portal.kb import reviewing
from portal.kb import services as kb
from portal.kb.models import Article, Category
from portal.search import queue, services
from portal.search.models import IndexJob
from portal.search.query import search

EMPLOYEE = Viewer(authenticated=True, user_id=1, roles=frozenset({"employee"}))


def new_article(title, body="", visibility="public", published=True):
    """A curator's new article (a draft), published by an administrator unless `published=False`."""
    author = db.session.scalar(select(User).where(User.username == "chenjing"))
    category = db.session.scalar(select(Category).where(Category.name == "操作指南"))
    article = kb.save_article(
        kb.ArticleInput(title=title, body=body, kind="faq", category_id=category.id, visibility=visibility),
        author,
    )
    if published:
        reviewing.move(article.id, "publish", db.session.scalar(select(User).where(User.username == "admin")))
    return article


def keys(results):
    return [h.key for h in results.hits]


def test_saved_article_is_searchable_at_once_and_edits_replace_it(demo_app):
    with demo_app.test_request_context():
        article = new_article("鲸鱼馆差旅补贴标准", "出差补贴按城市等级发放")
        assert keys(search("鲸鱼馆", ANONYMOUS)) == [f"article:{article.id}"]
        kb.save_article(
            kb.ArticleInput(
                title="境外培训补贴标准", body="", kind="faq", category_id=article.category_id, visibility="public"
            ),
            article.author,
            article,
        )
        assert search("鲸鱼馆", ANONYMOUS).total == 0
        assert keys(search("境外培训", ANONYMOUS))[0] == f"article:{article.id}"
        assert queue.pending() == 0


def test_unpublished_and_internal_articles_are_filtered_inside_the_query(demo_app):
    with demo_app.test_request_context():
        internal = new_article("机房巡检口令更换流程", visibility="internal")
        draft = new_article("机房巡检草稿", published=False)
        assert f"article:{internal.id}" not in keys(search("机房巡检", ANONYMOUS))
        assert f"article:{internal.id}" in keys(search("机房巡检", EMPLOYEE))
        assert f"article:{draft.id}" not in keys(search("机房巡检", EMPLOYEE))


def test_a_change_committed_before_a_crash_is_applied_later(demo_app):
    with demo_app.test_request_context():
        article = db.session.scalar(select(Article).where(Article.external_id == "demo-faq-001"))
        article.title = "量子纠缠打印机驱动安装"
        queue.mark_dirty([f"article:{article.id}"])
        db.session.commit()  # the process "dies" here: no kick
        assert search("量子纠缠", ANONYMOUS).total == 0
        assert queue.pending() == 1
        assert queue.drain() == 1  # what the consumer's periodic job or `portal serve` start does
        assert keys(search("量子纠缠", ANONYMOUS)) == [f"article:{article.id}"]


def test_reindex_builds_a_fresh_generation_and_swaps(demo_app):
    with demo_app.test_request_context():
        store = queue.current_store()
        before = store.current_generation()
        total = services.reindex()
        from portal.tickets.models import Ticket

        articles = db.session.scalar(select(db.func.count(Article.id)).where(Article.published))
        assert total == articles + db.session.scalar(select(db.func.count(Ticket.id)))
        assert store.current_generation() != before
        assert search("忘记密码", ANONYMOUS).total > 0


def test_check_reports_and_repairs_drift(demo_app):
    with demo_app.test_request_context():
        article = db.session.scalar(select(Article).where(Article.external_id == "demo-faq-002"))
        article.title = "漂移检测专用标题"
        article.updated_at = utcnow()
        db.session.commit()  # changed without an index job
        ghost = db.session.scalar(select(Article).where(Article.external_id == "demo-faq-003"))
        db.session.delete(ghost)
        db.session.commit()
        drift = services.check(repair=False)
        assert f"article:{article.id}" in drift.stale and f"article:{ghost.id}" in drift.orphaned
        services.check(repair=True)
        assert services.check(repair=False).clean
        assert keys(search("漂移检测", ANONYMOUS))[0] == f"article:{article.id}"


def test_facets_and_pagination(demo_app):
    with demo_app.test_request_context():
        first = search("系统", EMPLOYEE, page=1, pagelen=5, with_facets=True)
        assert first.total > 5 and first.pages >= 2
        assert sum(first.facets["kind"].values()) == first.total
        assert set(first.facets["kind"]) <= {"faq", "manual"}
        second = search("系统", EMPLOYEE, page=2, pagelen=5)
        assert not set(keys(first)) & set(keys(second))


def test_embedded_consumer_applies_changes_within_seconds(tmp_path):
    """The real queue (SQLite storage) and the in-process consumer, as `portal serve` runs them."""
    from portal import create_app
    from portal.core import jobs
    from portal.demo import loader
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, JOBS_IMMEDIATE=False))
    with app.test_request_context():
        db.create_all()
        loader.seed_reference_data()
        loader.load_org()
        consumer = jobs.start_consumer(workers=1)
        try:
            article = new_article("消费者线程索引验证")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not search("消费者线程", ANONYMOUS).total:
                time.sleep(0.1)
            assert keys(search("消费者线程", ANONYMOUS)) == [f"article:{article.id}"]
            assert db.session.scalar(select(db.func.count(IndexJob.id))) == 0
        finally:
            consumer.stop(graceful=True)


def test_writer_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tmp_path):
    import threading

    from portal.search.index import IndexStore, WriterBusy

    store = IndexStore(tmp_path / "ix")
    with store.writer_lock():
        store.ensure()  # creates the first generation under the lock it already holds
        outcome = []

        def other():
            try:
                with store.writer_lock(timeout=0.3):
                    outcome.append("acquired")
            except WriterBusy:
                outcome.append("busy")

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert outcome == ["busy"]
    assert store.current_generation() is not None
