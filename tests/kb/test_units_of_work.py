"""A knowledge-base form post that fails changes nothing: the article, its curator links and the
index outbox are as they were (read back in a fresh session), and the form keeps what was typed.

These tests commit for real (the `app` fixture's own SQLite file), since what they check is what a
failed unit of work leaves in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.errors import Conflict
from portal.extensions import db
from portal.kb.models import Article, ArticleLink, Manual
from portal.search.models import IndexJob
from tests import factories
from tests.conftest import Auth

TITLE, BODY = "报销单被退回怎么办", "1. 打开报销单\n2. 按退回意见修改"


@pytest.fixture
def world(app):
    """A curator, an article linked to a related one, both indexed; the outbox empty."""
    with app.test_request_context():
        factories.user("curator1", roles=["curator"])
        related = factories.article("发票抬头写错了", category="数据错误")
        article = factories.article(TITLE, BODY, category="操作指南")
        db.session.add(ArticleLink(article_id=article.id, related_id=related.id, position=0))
        factories.reindex(article, related)  # drains the outbox: its unit of work commits all of it
        ids = {"article": article.id, "related": related.id}
    return ids


def snapshot(app, article_id: int) -> dict:
    """What the database holds now, read in a fresh session (a new app context)."""
    with app.app_context():
        article = db.session.get(Article, article_id)
        return {
            "title": article.title,
            "body": article.body,
            "category_id": article.category_id,
            "updated_at": article.updated_at,
            "links": db.session.scalars(
                select(ArticleLink.related_id).where(ArticleLink.article_id == article_id).order_by(ArticleLink.id)
            ).all(),
            "outbox": db.session.scalar(select(func.count(IndexJob.id))),
        }


def edit_form(auth: Auth, article_id: int, **changes) -> dict:
    form = {
        "title": "报销单被退回后如何重新提交",
        "body": "先看退回意见，改完后点击重新提交",
        "kind": "faq",
        "category_id": "1",
        "visibility": "public",
        "manual_id": "0",
        "position": "0",
        "related": "",
        "csrf_token": auth.csrf(f"/kb/articles/{article_id}/edit"),
    }
    form.update(changes)
    return form


@pytest.fixture
def curator(app):
    client = app.test_client()
    auth = Auth(client)
    assert auth.login("curator1").status_code in (302, 303)
    return client, auth


def test_an_unknown_related_article_saves_none_of_the_other_changes(app, world, curator):
    client, auth = curator
    before = snapshot(app, world["article"])
    form = edit_form(auth, world["article"], related=f"{world['related']}, 99999")
    response = client.post(f"/kb/articles/{world['article']}/edit", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "99999" in html and 'aria-invalid="true"' in html
    assert form["title"] in html and form["body"] in html  # nothing typed is lost
    assert snapshot(app, world["article"]) == before


def test_an_unknown_category_saves_nothing(app, world, curator):
    client, auth = curator
    before = snapshot(app, world["article"])
    form = edit_form(auth, world["article"], category_id="999", related=str(world["related"]))
    response = client.post(f"/kb/articles/{world['article']}/edit", data=form)
    assert response.status_code == 422
    assert form["title"] in response.get_data(as_text=True)
    assert snapshot(app, world["article"]) == before


def test_a_failure_after_the_writes_rolls_all_of_them_back(app, world, curator, monkeypatch):
    """The title, body and links are already flushed when the outbox refuses: the unit of work
    rolls every one of them back, and the page says why with the form as typed."""
    from portal.search import queue

    def refuse(keys):
        list(keys)
        raise Conflict("Someone else changed this a moment ago. Refresh and try again.")

    client, auth = curator
    before = snapshot(app, world["article"])
    form = edit_form(auth, world["article"], related="")  # would drop the curator's link
    monkeypatch.setattr(queue, "mark_dirty", refuse)
    response = client.post(f"/kb/articles/{world['article']}/edit", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert form["title"] in html and form["body"] in html
    assert snapshot(app, world["article"]) == before
    assert before["links"] == [world["related"]]


def test_a_valid_edit_saves_article_links_and_index_together(app, world, curator):
    client, auth = curator
    form = edit_form(auth, world["article"], related="")
    assert client.post(f"/kb/articles/{world['article']}/edit", data=form).status_code == 303
    after = snapshot(app, world["article"])
    assert (after["title"], after["links"], after["outbox"]) == (form["title"], [], 0)  # drained after the commit
    hits = client.get("/api/v1/search", query_string={"q": "重新提交"}).get_json()["results"]
    assert hits and hits[0]["id"] == world["article"]


def test_a_new_edition_that_cannot_be_copied_whole_copies_nothing(app, world, curator):
    """The second chapter's copied external id is taken: the edition and its first chapter,
    already added, are not kept either."""
    with app.test_request_context():
        manual = factories.manual(edition="2026Q4")
        factories.article("第一章", manual=manual, position=1, external_id="m-01")
        factories.article("第二章", manual=manual, position=2, external_id="m-02")
        factories.article("别处的文章", external_id="m-02@2027Q1")
        db.session.commit()
        manual_id = manual.id

    def counts():
        with app.app_context():
            return db.session.scalar(select(func.count(Manual.id))), db.session.scalar(select(func.count(Article.id)))

    client, auth = curator
    before = counts()
    token = auth.csrf(f"/kb/manuals/{manual_id}")
    response = client.post(f"/kb/manuals/{manual_id}/editions", data={"edition": "2027Q1", "csrf_token": token})
    assert response.status_code == 303
    assert counts() == before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "m-02@2027Q1" in page  # the refusal, shown on the manual's page
