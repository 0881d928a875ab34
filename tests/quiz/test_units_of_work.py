"""A refused quiz post changes nothing: each quiz service is one unit of work, so a form whose
other fields were valid changes but one field is bad leaves the stored rows (and the file store)
exactly as they were, and the page answers 4xx with what was typed still in the form."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, inspect, select, update

from portal.core.clock import utcnow
from portal.core.errors import Conflict
from portal.core.uploads import Upload, path_of
from portal.extensions import db
from portal.notify.models import Notification
from portal.quiz import services
from portal.quiz.models import Attempt, AttemptItem, Certificate, Certification, ExtraAttempt, Question
from tests import factories as f


def row(model, key) -> dict:
    """One stored row, every column, read in a fresh session (nothing cached by the test or the request)."""
    with current_app.app_context():
        obj = db.session.get(model, key)
        out = {a.key: getattr(obj, a.key) for a in inspect(model).column_attrs}
        db.session.remove()
        return out


def count(model) -> int:
    with current_app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return n


@pytest.fixture
def trainer(db_auth):
    t = f.user(username="peixun", display_name="培训师", roles=["trainer"])
    db_auth.login(t.username)
    return t


# --- the level settings ("设置") ----------------------------------------------------------------

SETTINGS = {
    "title": "初级认证（新版）",
    "time_limit_minutes": "45",
    "pass_mark": "80",
    "attempts_allowed": "5",
    "wait_hours": "2",
    "validity_months": "12",
    "prerequisite_level": "",
    "layout": "all",
    "partial_credit": "penalty",
    "late_policy": "refuse",
    "edition": "",
    "active": "on",
}


def settings(db_auth, **draw) -> dict:
    return {
        **SETTINGS,
        "csrf_token": db_auth.csrf("/quiz/certifications/beginner"),
        "draw_kind": [draw.get("kind", "single")],
        "draw_tags": [draw.get("tags", "")],
        "draw_count": [draw.get("count", "1")],
    }


def test_level_settings_with_a_draw_the_bank_cannot_fill_change_nothing(db_client, db_auth, trainer):
    f.question(kind="single", level="beginner")
    c = f.certification("beginner", draws=[{"kind": "single", "count": 1}])
    before = row(Certification, c.id)

    r = db_client.post("/quiz/certifications/beginner", data=settings(db_auth, count="5"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="e-draws"' in html, "the draw is the field that says why"
    assert 'value="初级认证（新版）"' in html and 'value="45"' in html and 'value="5"' in html, "what was typed stays"
    assert row(Certification, c.id) == before

    # the same changes with a draw the bank can fill are accepted: they were valid all along
    r = db_client.post("/quiz/certifications/beginner", data=settings(db_auth, count="1"))
    assert r.status_code == 302
    after = row(Certification, c.id)
    assert (after["title"], after["time_limit_minutes"], after["pass_mark"], after["layout"]) == (
        "初级认证（新版）",
        45,
        80,
        "all",
    )


# --- the question form ---------------------------------------------------------------------------


def question_form(db_auth, question: Question, **extra) -> dict:
    page = db_auth.client.get(f"/quiz/questions/{question.id}/edit").get_data(as_text=True)
    stamp = page.split('name="stamp" value="', 1)[1].split('"', 1)[0]
    return {
        "csrf_token": db_auth.csrf("/quiz/questions/new"),
        "stamp": stamp,
        "external_id": question.external_id,
        "kind": "multiple",
        "level": "intermediate",
        "stem": "新的题干：忘记密码时可以怎么做？",
        "option_A": "自助重置",
        "option_B": "提交工单",
        "option_C": "借用同事账号",
        "correct": ["A", "B"],
        "points": "3",
        "tags": "登录，密码",
        "explanation": "两种方式都可以。",
        "edition": "2026Q4",
        "active": "on",
        **extra,
    }


def test_a_question_edit_with_an_unknown_article_changes_nothing(db_client, db_auth, trainer):
    faq = f.article("忘记密码怎么办", external_id="faq-pw")
    q = f.question("旧题干", tags=["旧"])
    before = row(Question, q.id)

    r = db_client.post(f"/quiz/questions/{q.id}/edit", data=question_form(db_auth, q, articles="faq-pw, faq-nope"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="q-articles-error"' in html and "faq-nope" in html
    assert "新的题干：忘记密码时可以怎么做？" in html and 'value="借用同事账号"' in html, "what was typed stays"
    assert row(Question, q.id) == before

    r = db_client.post(f"/quiz/questions/{q.id}/edit", data=question_form(db_auth, q, articles="faq-pw"))
    assert r.status_code == 303
    after = row(Question, q.id)
    assert (after["stem"], after["kind"], after["answer"], after["article_ids"]) == (
        "新的题干：忘记密码时可以怎么做？",
        "multiple",
        ["A", "B"],
        [faq.id],
    )


def test_a_stale_question_form_is_a_conflict_and_changes_nothing(db_client, db_auth, trainer):
    q = f.question("旧题干")
    data = question_form(db_auth, q)
    db.session.execute(update(Question).where(Question.id == q.id).values(updated_at=utcnow() + timedelta(seconds=5)))
    db.session.flush()
    before = row(Question, q.id)
    r = db_client.post(f"/quiz/questions/{q.id}/edit", data=data)
    assert r.status_code == 409 and "新的题干：忘记密码时可以怎么做？" in r.get_data(as_text=True)
    assert row(Question, q.id) == before


# --- the review ----------------------------------------------------------------------------------


def test_a_review_with_one_bad_score_after_good_ones_changes_nothing(db_client, db_auth, trainer):
    trainee = f.user(username="xueyuan")
    first = f.question("写出处理步骤", kind="practical", points=4, rubric=[{"criterion": "步骤完整", "points": 4}])
    second = f.question("说明原因", kind="practical", points=2, rubric=[{"criterion": "原因正确", "points": 2}])
    c = f.certification("beginner", draws=[{"kind": "practical", "count": 2}])
    attempt = f.attempt(
        trainee,
        c,
        questions=[first, second],
        state="pending_review",
        submitted_at=utcnow(),
        practical_max=Decimal(6),
    )
    for item in attempt.items:
        item.text, item.saved_at = "先搜索知识库，再提交工单。", utcnow()
    db.session.flush()
    items = [i.id for i in attempt.items]
    before = (row(Attempt, attempt.id), [row(AttemptItem, i) for i in items])
    notes = count(Notification)

    token = db_auth.csrf(f"/quiz/reviews/{attempt.id}")
    r = db_client.post(
        f"/quiz/reviews/{attempt.id}", data={"csrf_token": token, "score": ["4", "9"], "comment": "第一题很好"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="4"' in html and 'value="9"' in html and "第一题很好" in html, "what was typed stays"
    assert (row(Attempt, attempt.id), [row(AttemptItem, i) for i in items]) == before, "the first score is not kept"
    assert count(Certificate) == 0 and count(Notification) == notes

    r = db_client.post(f"/quiz/reviews/{attempt.id}", data={"csrf_token": token, "score": ["4", "2"]})
    assert r.status_code == 302
    assert row(Attempt, attempt.id)["state"] == "passed" and count(Certificate) == 1


# --- extra attempts ------------------------------------------------------------------------------


def test_a_grant_without_a_reason_stores_nothing_and_keeps_the_form(db_client, db_auth, trainer):
    f.user(username="xueyuan")
    f.certification("beginner")
    notes = count(Notification)
    token = db_auth.csrf("/quiz/")
    r = db_client.post(
        "/quiz/extra-attempts", data={"csrf_token": token, "username": "xueyuan", "level": "beginner", "reason": " "}
    )
    assert r.status_code == 422 and 'value="xueyuan"' in r.get_data(as_text=True)
    assert count(ExtraAttempt) == 0 and count(Notification) == notes


# --- the practical task's file -------------------------------------------------------------------


def test_a_file_whose_answer_is_not_saved_is_discarded(db_app):
    trainee = f.user()
    task = f.question("上传截图", kind="practical", points=2, allow_upload=True)
    attempt = f.attempt(trainee, f.certification("beginner"), questions=[task])
    db.session.commit()  # the world of the test; the failing service rolls back to here
    folder = path_of("probe").parent
    files_before = set(folder.iterdir()) if folder.exists() else set()
    # the trainee's other tab hands the paper in after this one loaded it: the guarded write loses
    db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id).values(state="pending_review"),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(Conflict):
        services.save_answer(attempt, trainee, 1, [], "见截图", upload=Upload("截图.png", "image/png", b"\x89PNG...."))
    files_after = set(folder.iterdir()) if folder.exists() else set()
    assert files_after == files_before, "the stored file went with the answer that was not saved"
    assert row(AttemptItem, attempt.items[0].id)["upload_stored"] == ""


def test_a_refused_file_is_a_field_error_and_nothing_is_stored(db_app):
    trainee = f.user()
    task = f.question("上传截图", kind="practical", points=2, allow_upload=True)
    attempt = f.attempt(trainee, f.certification("beginner"), questions=[task])
    db.session.commit()
    folder = path_of("probe").parent
    files_before = set(folder.iterdir()) if folder.exists() else set()
    with pytest.raises(services.InvalidInput) as refused:
        services.save_answer(
            attempt, trainee, 1, [], "见附件", upload=Upload("run.exe", "application/x-msdownload", b"MZ")
        )
    assert "upload" in refused.value.errors
    assert (set(folder.iterdir()) if folder.exists() else set()) == files_before
    assert row(AttemptItem, attempt.items[0].id)["saved_at"] is None
