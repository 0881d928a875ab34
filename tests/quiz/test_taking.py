"""Taking a quiz through the pages, on a clock the test moves: the stored paper, answers saved as
one goes, the server's time limit, one submission, attempt limits by every route, the review."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.quiz.models import Attempt, Certificate, Certification, Question
from tests import factories as f
from tests.conftest import Auth
from tests.factories import Clock

T0 = datetime(2026, 12, 1, 1, 0)  # naive UTC: 09:00 in Shanghai


def build_world() -> None:
    """Two employees of 财务部 (张伟, 沈悦), the trainer 周琳, the demo's three levels and a bank
    of questions for each that link to a FAQ."""
    f.department("finance", "财务部")
    f.user("zhangwei", display_name="张伟", department="finance")
    f.user("shenyue", display_name="沈悦", department="finance")
    trainer = f.user("zhoulin", display_name="周琳", roles=[Role.TRAINER], department="hr")
    faq = f.article("忘记OA登录密码怎么办？", "在登录页点击“忘记密码”自助重置。", category="登录问题")
    f.demo_levels()
    for level in ("beginner", "intermediate", "advanced"):
        f.question_bank(level, articles=[faq], created_by=trainer)
    db.session.commit()


@pytest.fixture
def world(db_app):
    build_world()  # in the rolled-back transaction


@pytest.fixture
def client(world, db_client):
    return db_client


@pytest.fixture
def clock(db_app):
    c = Clock(T0)
    db_app.config["CLOCK"] = c
    return c


@pytest.fixture
def committed(app):
    """The same world with real commits, in an empty database of its own: for the tests that
    race threads or write from a second connection."""
    app.config["CLOCK"] = Clock(T0)
    with app.app_context():
        build_world()
        yield app
        db.session.remove()


def fresh_attempt(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def start(client, auth, level="beginner"):
    token = auth.csrf("/quiz/")
    r = client.post(f"/quiz/{level}/start", data={"csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def answer_all(
    client, auth, attempt_id, right=True, text="先在帮助中心搜索关键词，按文章逐步处理；无法解决时提交工单。"
):
    token = auth.csrf(f"/quiz/attempts/{attempt_id}")
    for item in fresh_attempt(attempt_id).items:
        q = item.question
        if q.kind == "practical":
            data = {"text": text}
        else:
            keys = list(q.answer) if right else [k for k in item.option_order if k not in q.answer][:1]
            data = {"answer": keys}
        r = client.post(
            f"/quiz/attempts/{attempt_id}/items/{item.position}",
            data={**data, "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200, r.get_data(as_text=True)


def test_the_paper_is_stored_and_a_reload_shows_the_same(client, auth, clock):
    auth.login("zhangwei")
    aid = start(client, auth)
    a = fresh_attempt(aid)
    order = [(i.question_id, list(i.option_order)) for i in a.items]
    assert len(order) == 11 and a.items[-1].question.kind == "practical"
    assert a.deadline == T0 + timedelta(minutes=20)
    page1 = client.get(f"/quiz/attempts/{aid}").get_data(as_text=True)
    # starting again (new tab, direct POST) continues the same attempt
    assert start(client, auth) == aid
    assert [(i.question_id, list(i.option_order)) for i in fresh_attempt(aid).items] == order
    assert client.get(f"/quiz/attempts/{aid}").get_data(as_text=True) == page1
    assert 'data-seconds-left="1200"' in page1
    clock.move(minutes=5)
    assert 'data-seconds-left="900"' in client.get(f"/quiz/attempts/{aid}").get_data(as_text=True)


def test_answers_are_saved_as_one_goes_and_validated(client, auth, clock):
    auth.login("zhangwei")
    aid = start(client, auth)
    token = auth.csrf(f"/quiz/attempts/{aid}")
    item = next(i for i in fresh_attempt(aid).items if i.question.kind == "single")
    url = f"/quiz/attempts/{aid}/items/{item.position}"
    r = client.post(url, data={"answer": [item.option_order[1]], "csrf_token": token}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "已保存" in r.get_data(as_text=True)
    saved = next(i for i in fresh_attempt(aid).items if i.position == item.position)
    assert saved.response == [item.option_order[1]]
    bad = client.post(url, data={"answer": ["Z"], "csrf_token": token}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    two = client.post(
        url, data={"answer": list(item.option_order[:2]), "csrf_token": token}, headers={"HX-Request": "true"}
    )
    saved = next(i for i in fresh_attempt(aid).items if i.position == item.position)
    assert two.status_code == 422 and saved.response == [item.option_order[1]]
    # the plain form (no script): save and go to the next question
    r = client.post(url, data={"answer": [item.option_order[0]], "go": "next", "csrf_token": token})
    assert r.status_code == 302 and f"q={item.position + 1}" in r.headers["Location"]
    auth.logout()
    auth.login("shenyue")  # someone else's attempt does not exist for them
    assert client.get(f"/quiz/attempts/{aid}").status_code == 404
    token = auth.csrf("/quiz/")
    assert client.post(f"/quiz/attempts/{aid}/items/0", data={"answer": ["A"], "csrf_token": token}).status_code == 404
    assert client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token}).status_code == 404


def test_time_limit_is_enforced_by_the_server(client, auth, clock):
    auth.login("zhangwei")
    aid = start(client, auth)
    token = auth.csrf(f"/quiz/attempts/{aid}")
    item = fresh_attempt(aid).items[0]
    clock.move(minutes=20, seconds=31)
    late = client.post(
        f"/quiz/attempts/{aid}/items/0",
        data={"answer": [item.option_order[0]], "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert late.status_code == 409 and fresh_attempt(aid).items[0].response == []
    # opening the paper after the time ran out hands it in, graded as of the limit
    r = client.get(f"/quiz/attempts/{aid}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/quiz/attempts/{aid}/result")
    a = fresh_attempt(aid)
    assert a.state in ("failed", "pending_review") and a.late and a.objective_points == 0


def test_answers_saved_in_time_count_when_the_sweep_closes_the_attempt(client, auth, clock, db_app):
    from portal.quiz import services

    auth.login("zhangwei")
    aid = start(client, auth)
    answer_all(client, auth, aid, right=True)
    clock.move(hours=2)
    with db_app.test_request_context():
        assert services.close_expired() >= 1
    a = fresh_attempt(aid)
    assert a.state == "pending_review" and a.late and a.objective_points == a.objective_max


def test_refuse_policy_expires_a_late_paper(client, auth, clock):
    c = db.session.scalar(select(Certification).where(Certification.level == "beginner"))
    c.late_policy = "refuse"
    db.session.commit()
    auth.login("zhangwei")
    aid = start(client, auth)
    answer_all(client, auth, aid)
    clock.move(minutes=25)
    token = auth.csrf("/quiz/")
    r = client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token})
    assert r.status_code == 303
    a = fresh_attempt(aid)
    assert a.state == "expired" and a.passed is False
    assert "超过时限" in client.get(f"/quiz/attempts/{aid}/result").get_data(as_text=True)


def test_submitted_once_and_answers_frozen(client, auth, clock):
    auth.login("zhangwei")
    aid = start(client, auth)
    answer_all(client, auth, aid)
    token = auth.csrf(f"/quiz/attempts/{aid}")
    assert client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token}).status_code == 303
    again = client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token})
    assert again.status_code == 303 and fresh_attempt(aid).state == "pending_review"
    r = client.post(
        f"/quiz/attempts/{aid}/items/0", data={"answer": ["A"], "csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 409


def test_attempt_limits_cannot_be_sidestepped(client, auth, clock):
    for n in range(3):
        auth.login("zhangwei")  # again after each wait: the idle sign-in has ended meanwhile
        aid = start(client, auth)
        answer_all(client, auth, aid, right=False, text="")
        token = auth.csrf("/quiz/")
        client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token})
        assert fresh_attempt(aid).state == "failed"
        if n < 2:  # waiting time between attempts: refused, by the page and by a direct POST
            r = client.post("/quiz/beginner/start", data={"csrf_token": token})
            assert r.status_code == 303 and db.session.query(Attempt).filter_by(id=aid + 1).first() is None
            clock.move(hours=25)
    clock.move(days=30)
    auth.login("zhangwei")
    page = client.get("/quiz/").get_data(as_text=True)
    assert "已用完" in page
    # a new session (log out and in again) and a direct POST: still no fourth attempt
    auth.logout()
    auth.login("zhangwei")
    token = auth.csrf("/quiz/")
    r = client.post("/quiz/beginner/start", data={"csrf_token": token})
    assert r.status_code == 303
    assert db.session.query(Attempt).filter(Attempt.user.has(username="zhangwei")).count() == 3


def test_intermediate_needs_the_beginner_certificate(client, auth, clock):
    auth.login("zhangwei")
    token = auth.csrf("/quiz/")
    r = client.post("/quiz/intermediate/start", data={"csrf_token": token})
    assert r.status_code == 303
    assert "初级" in client.get("/quiz/").get_data(as_text=True)
    assert client.post("/quiz/expert/start", data={"csrf_token": token}).status_code == 404


def test_review_makes_the_result_final_and_issues_the_certificate(client, auth, clock):
    auth.login("zhangwei")
    aid = start(client, auth)
    answer_all(client, auth, aid)
    token = auth.csrf("/quiz/")
    client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token})
    result = client.get(f"/quiz/attempts/{aid}/result").get_data(as_text=True)
    assert "等待" in result
    auth.logout()
    auth.login("shenyue")  # an employee is not a reviewer
    assert client.get(f"/quiz/reviews/{aid}").status_code == 403
    auth.logout()
    auth.login("zhoulin")
    assert "张伟" in client.get("/quiz/reviews").get_data(as_text=True)
    token = auth.csrf(f"/quiz/reviews/{aid}")
    bad = client.post(f"/quiz/reviews/{aid}", data={"score": ["9", "4", "2"], "csrf_token": token})
    assert bad.status_code == 422 and fresh_attempt(aid).state == "pending_review"
    r = client.post(f"/quiz/reviews/{aid}", data={"score": ["4", "3.5", "2"], "comment": "很好", "csrf_token": token})
    assert r.status_code == 302
    a = fresh_attempt(aid)
    assert a.state == "passed" and a.practical_points == 9.5 and a.reviewer.username == "zhoulin"
    again = client.post(f"/quiz/reviews/{aid}", data={"score": ["0", "0", "0"], "csrf_token": token})
    assert again.status_code == 409 and fresh_attempt(aid).state == "passed"
    cert = db.session.scalar(select(Certificate).where(Certificate.attempt_id == aid))
    assert cert.level == "beginner" and cert.expires_at.year == 2028
    auth.logout()
    auth.login("zhangwei")
    page = client.get(f"/quiz/attempts/{aid}/result").get_data(as_text=True)
    assert cert.code in page and "通过" in page


def test_the_result_does_not_leak_the_answers(client, auth, clock):
    auth.login("zhangwei")
    aid = start(client, auth)
    answer_all(client, auth, aid, right=False, text="")
    token = auth.csrf("/quiz/")
    client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": token})
    html = client.get(f"/quiz/attempts/{aid}/result").get_data(as_text=True)
    assert "重读" in html or "再读" in html or "Read again" in html
    for item in fresh_attempt(aid).items:
        q = item.question
        if q.kind in ("single", "multiple"):
            right = [o["text"] for o in q.options if o["key"] in q.answer and len(o["text"]) > 6]
            assert not any(t in html for t in right), "a correct option's text is on the result page"
    assert db.session.scalar(select(Question.id).limit(1)) is not None


def start_at_once(app, username: str, n: int = 3) -> list[int]:
    """n tabs start the beginner quiz of one trainee at the same moment; the attempt ids they get."""
    import threading

    from portal.auth.models import User
    from portal.quiz import services

    ids, barrier = [], threading.Barrier(n)

    def start_one():
        with app.test_request_context():
            user = db.session.scalar(select(User).where(User.username == username))
            barrier.wait()
            ids.append(services.start(user, "beginner").id)
            db.session.remove()

    threads = [threading.Thread(target=start_one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids


def test_two_tabs_starting_at_once_get_one_attempt(committed):
    ids = start_at_once(committed, "zhangwei")
    assert len(ids) == 3 and len(set(ids)) == 1


def test_two_trainers_reviewing_at_once_record_one_review(committed):
    from portal.auth.models import User
    from portal.core.errors import Conflict
    from portal.quiz import reviewing

    client = committed.test_client()
    auth = Auth(client)
    auth.login("zhangwei")
    aid = start(client, auth)
    answer_all(client, auth, aid)
    client.post(f"/quiz/attempts/{aid}/submit", data={"csrf_token": auth.csrf("/quiz/")})
    trainer = db.session.scalar(select(User).where(User.username == "zhoulin"))
    with committed.test_request_context():
        mine = db.session.get(Attempt, aid)
        assert mine.state == "pending_review"
        with db.engine.begin() as other:  # the other trainer's review lands first
            other.execute(Attempt.__table__.update().where(Attempt.id == aid).values(version=Attempt.version + 1))
        with pytest.raises(Conflict):
            reviewing.review(mine, trainer, [4, 4, 2])
    assert fresh_attempt(aid).reviewer_id is None
    assert db.session.scalar(select(Certificate.id).where(Certificate.attempt_id == aid)) is None
