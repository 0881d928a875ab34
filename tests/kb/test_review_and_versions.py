"""The review (submit, publish by a second curator, send back with a comment, unpublish) with its
audit trail and notices, and every article's versions: the list, a diff between any two, restore."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.kb import reviewing, services
from portal.kb.models import ArticleVersion
from portal.notify.models import Notification
from tests import factories as f
from tests.kb.conftest import article, by_title, new_article_form, review


@pytest.fixture
def client(db_client):
    return db_client


def switch(auth, who: str) -> None:
    auth.logout()
    assert auth.login(who).status_code in (302, 303)


def audit(action: str, article_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target == f"article:{article_id}")
        )
    )


def notices(user_id: int, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user_id, Notification.kind == kind))
    )


def draft_by(
    desk, who: str, title: str = "报销单退回后如何重新提交", body: str = "1. 打开报销单\n2. 按意见修改"
) -> int:
    made = services.save_article(
        services.ArticleInput(title, body, "faq", desk["categories"]["操作指南"].id, "public"), desk[who]
    )
    db.session.commit()
    return made.id


# --- the review -----------------------------------------------------------------------------------


def test_the_author_submits_and_a_second_curator_publishes(client, auth, desk):
    aid = draft_by(desk, "chenjing")
    auth.login("chenjing")
    response = review(client, auth, aid, "submit")
    assert response.status_code == 303 and response.location.endswith(f"/kb/articles/{aid}/review")
    submitted = article(aid)
    assert (submitted.status, submitted.submitted_by_id) == ("review", desk["chenjing"].id)
    assert [e.actor_id for e in audit("article_submitted", aid)] == [desk["chenjing"].id]

    page = client.get(f"/kb/articles/{aid}/review").get_data(as_text=True)
    assert 'id="review-waiting"' in page and 'data-move="publish"' not in page
    refused = review(client, auth, aid, "publish")
    assert refused.status_code == 403 and 'id="review-error"' in refused.get_data(as_text=True)
    assert review(client, auth, aid, "send_back", "我自己撤回").status_code == 403
    assert article(aid).status == "review" and audit("article_published", aid) == []

    switch(auth, "zhaomin")
    page = client.get(f"/kb/articles/{aid}/review").get_data(as_text=True)
    assert 'data-move="publish"' in page and 'data-move="send_back"' in page
    response = review(client, auth, aid, "publish")
    assert response.status_code == 303 and response.location.endswith("/kb/drafts")
    published = article(aid)
    assert (published.status, published.reviewed_by_id) == ("published", desk["zhaomin"].id)
    assert published.published_at is not None
    (event,) = audit("article_published", aid)
    assert (event.actor_id, json.loads(event.before), json.loads(event.after)) == (
        desk["zhaomin"].id,
        {"status": "review"},
        {"status": "published"},
    )
    assert [n.url for n in notices(desk["chenjing"].id, "article_published")] == [f"/kb/articles/{aid}"]
    assert review(client, auth, aid, "publish").status_code == 409  # it moved on already
    auth.logout()
    assert client.get(f"/kb/articles/{aid}").status_code == 200


def test_sending_back_needs_a_comment_which_the_author_reads(client, auth, desk):
    aid = draft_by(desk, "chenjing")
    reviewing.move(aid, "submit", desk["chenjing"])
    db.session.commit()
    auth.login("zhaomin")
    client.set_cookie("portal_lang", "en")
    empty = review(client, auth, aid, "send_back", "   ")
    assert empty.status_code == 422 and 'id="note-error"' in empty.get_data(as_text=True)
    long = review(client, auth, aid, "send_back", "改" * 501)
    html = long.get_data(as_text=True)
    assert long.status_code == 422 and "改" * 501 in html and 'id="note-error"' in html  # what was typed stays
    assert article(aid).status == "review"
    response = review(client, auth, aid, "send_back", "第二步请补充截图，<b>并说明</b>退回意见在哪里看。")
    assert response.status_code == 303
    back = article(aid)
    assert (back.status, back.reviewed_by_id, back.review_note) == (
        "draft",
        desk["zhaomin"].id,
        "第二步请补充截图，<b>并说明</b>退回意见在哪里看。",
    )
    assert json.loads(audit("article_sent_back", aid)[0].detail)["note"] == back.review_note
    assert len(notices(desk["chenjing"].id, "article_sent_back")) == 1
    switch(auth, "chenjing")
    html = client.get("/kb/drafts").get_data(as_text=True)
    assert 'data-sent-back="1"' in html and "&lt;b&gt;并说明&lt;/b&gt;" in html and "<b>并说明" not in html
    assert "Sent back by 赵敏" in html
    assert review(client, auth, aid, "submit").status_code == 303  # submitted again after the changes
    assert article(aid).status == "review" and article(aid).review_note == ""


def test_only_administrators_publish_without_a_review_their_own_drafts_too(client, auth, desk):
    aid = draft_by(desk, "chenjing")
    auth.login("zhaomin")
    assert review(client, auth, aid, "publish").status_code == 403  # a curator submits first
    switch(auth, "admin")
    own = services.save_article(
        services.ArticleInput("管理员写的公告", "正文", "faq", desk["categories"]["操作指南"].id, "public"),
        desk["admin"],
    )
    db.session.commit()
    assert review(client, auth, own.id, "publish").status_code == 303
    assert review(client, auth, aid, "publish").status_code == 303
    assert article(own.id).published and article(aid).published
    assert article(aid).reviewed_by_id == desk["admin"].id


def test_whoever_edits_a_draft_waiting_for_review_does_not_publish_it(client, auth, desk):
    aid = draft_by(desk, "chenjing")
    reviewing.move(aid, "submit", desk["chenjing"])
    db.session.commit()
    auth.login("zhaomin")
    form = new_article_form(auth, desk["categories"]["操作指南"].id, "报销单退回后如何重新提交", "改过的正文")
    form["csrf_token"] = auth.csrf(f"/kb/articles/{aid}/edit")
    assert client.post(f"/kb/articles/{aid}/edit", data=form).status_code == 303
    assert article(aid).status == "review"  # an edit keeps its place in the review
    assert review(client, auth, aid, "publish").status_code == 403
    assert review(client, auth, aid, "send_back", "请作者再确认").status_code == 303  # asking for changes is fine


def test_unpublishing_takes_an_article_off_the_search_and_readers(client, auth, desk):
    faq = desk["faqs"][0]
    hits = client.get("/api/v1/search", query_string={"q": faq.title}).get_json()["results"]
    assert faq.id in [h["id"] for h in hits]
    auth.login("zhaomin")
    assert review(client, auth, faq.id, "unpublish").status_code == 303
    assert article(faq.id).status == "draft" and len(audit("article_unpublished", faq.id)) == 1
    auth.logout()
    assert client.get(f"/kb/articles/{faq.id}").status_code == 404
    hits = client.get("/api/v1/search", query_string={"q": faq.title}).get_json()["results"]
    assert faq.id not in [h["id"] for h in hits]


def test_unknown_review_steps_and_missing_articles(client, auth, desk):
    aid = draft_by(desk, "chenjing")
    auth.login("zhaomin")
    assert review(client, auth, aid, "delete").status_code == 422
    assert client.post(f"/kb/articles/{aid}/review", data={"csrf_token": auth.csrf("/")}).status_code == 422
    assert client.post(f"/kb/articles/{aid}/review", data={"action": "submit"}).status_code in (400, 422)
    assert client.get("/kb/articles/999999/review").status_code == 404
    assert article(aid).status == "draft"


# --- versions -------------------------------------------------------------------------------------


def edit(client, auth, desk, aid: int, title: str, body: str):
    form = new_article_form(auth, desk["categories"]["操作指南"].id, title, body)
    form["csrf_token"] = auth.csrf(f"/kb/articles/{aid}/edit")
    assert client.post(f"/kb/articles/{aid}/edit", data=form).status_code == 303


V1 = "1. 打开报销单\n2. 按意见修改\n3. 点击提交"
V2 = "1. 打开报销单\n2. 按退回意见修改金额\n3. 点击提交\n<script>alert('x')</script>"


def test_every_saved_change_is_a_version_and_any_two_compare(client, auth, desk):
    aid = draft_by(desk, "chenjing", "报销单被退回怎么办", V1)
    auth.login("zhaomin")
    edit(client, auth, desk, aid, "报销单被退回怎么办", V2)
    edit(client, auth, desk, aid, "报销单被退回后重新提交", V2)
    edit(client, auth, desk, aid, "报销单被退回后重新提交", V2)  # nothing changed: no version
    versions = db.session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == aid).order_by(ArticleVersion.number)
    ).all()
    assert [(v.number, v.author_id) for v in versions] == [
        (1, desk["chenjing"].id),
        (2, desk["zhaomin"].id),
        (3, desk["zhaomin"].id),
    ]
    page = client.get(f"/kb/articles/{aid}/versions").get_data(as_text=True)
    assert re.findall(r'data-version="(\d+)"', page) == ["3", "2", "1"]
    assert f"/kb/articles/{aid}/versions/diff?a=2&amp;b=3" in page and 'data-restore="1"' in page

    diff = client.get(f"/kb/articles/{aid}/versions/diff?a=1&b=3").get_data(as_text=True)
    body = diff[diff.index('id="diff-body"') :]
    assert '<li class="diff-line diff-del">' in body and '<li class="diff-line diff-ins">' in body
    assert "<ins>退回</ins>" in body and "<ins>金额</ins>" in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body and "<script>alert" not in diff
    fields = diff[diff.index('id="diff-fields"') : diff.index('id="diff-body"')]
    assert 'data-field="title"' in fields and "报销单被退回后重新提交" in fields
    backwards = client.get(f"/kb/articles/{aid}/versions/diff?a=3&b=1").get_data(as_text=True)
    assert "<del>退回</del>" in backwards
    same = client.get(f"/kb/articles/{aid}/versions/diff?a=2&b=2").get_data(as_text=True)
    assert 'id="diff-same"' in same and 'id="diff-fields"' not in same
    for bad in ("a=1&b=9", "a=0&b=1", "a=x&b=1", "b=1"):
        assert client.get(f"/kb/articles/{aid}/versions/diff?{bad}").status_code == 404, bad
    other = draft_by(desk, "chenjing", "另一篇")
    assert client.get(f"/kb/articles/{other}/versions/diff?a=1&b=2").status_code == 404  # not its versions


def test_restoring_a_version_is_a_new_version_searchable_at_once(client, auth, desk):
    aid = draft_by(desk, "chenjing", "鲸鱼馆差旅补贴标准", "出差补贴按城市等级发放")
    reviewing.move(aid, "publish", desk["admin"])
    db.session.commit()
    auth.login("zhaomin")
    edit(client, auth, desk, aid, "境外培训补贴标准", "境外培训按天发放")
    assert by_title("境外培训补贴标准") is not None

    def found(q):
        return aid in [h["id"] for h in client.get("/api/v1/search", query_string={"q": q}).get_json()["results"]]

    assert found("境外培训") and not found("鲸鱼馆")
    token = auth.csrf(f"/kb/articles/{aid}/versions")
    response = client.post(f"/kb/articles/{aid}/versions/1/restore", data={"csrf_token": token})
    assert response.status_code == 303
    restored = article(aid)
    assert (restored.title, restored.body, restored.status) == (
        "鲸鱼馆差旅补贴标准",
        "出差补贴按城市等级发放",
        "published",
    )
    latest = db.session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == aid).order_by(ArticleVersion.number.desc()).limit(1)
    )
    assert (latest.number, latest.note, latest.author_id) == (3, "restore:1", desk["zhaomin"].id)
    assert found("鲸鱼馆") and not found("境外培训")  # re-indexed through the outbox
    (event,) = audit("article_restored", aid)
    assert json.loads(event.detail)["from_version"] == 1 and event.actor_id == desk["zhaomin"].id
    client.set_cookie("portal_lang", "en")
    page = client.get(f"/kb/articles/{aid}/versions").get_data(as_text=True)
    assert "restored from version 1" in page

    again = client.post(f"/kb/articles/{aid}/versions/3/restore", data={"csrf_token": token})
    assert again.status_code == 303  # the same text: nothing to restore, said on the list
    assert "already says" in client.get(again.location).get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(ArticleVersion.id)).where(ArticleVersion.article_id == aid)) == 3
    assert client.post(f"/kb/articles/{aid}/versions/9/restore", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/kb/articles/{aid}/versions/1/restore", data={}).status_code == 400  # no CSRF token


def test_an_article_without_versions_says_so(client, auth, desk):
    bare = f.article("没有版本的旧文章")
    db.session.commit()
    auth.login("chenjing")
    page = client.get(f"/kb/articles/{bare.id}/versions").get_data(as_text=True)
    assert 'id="versions-empty"' in page
