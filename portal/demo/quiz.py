"""Demo certification: three level definitions, 50 questions written for the 2026Q4 manual, and
trainees at every stage (not started, in progress, waiting for a review, failed and waiting,
out of attempts, passed, holding a certificate that expires soon)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.kb.models import Article
from portal.quiz import reviewing, services
from portal.quiz.models import Attempt, Certification, Question

DATA = Path(__file__).parent / "data" / "quiz.json"
TRUE_WORDS = {"对", "true", "是"}

# (trainee, level, outcome, days ago): replayed oldest first; each outcome is one attempt
STORIES = [
    ("majun", "beginner", "pass", 715),  # certificate expires within a month
    ("chenlong", "beginner", "pass", 120),
    ("chenlong", "intermediate", "pass", 60),
    ("shenyue", "beginner", "pass", 40),
    ("wangqiang", "beginner", "pass", 30),
    ("wangqiang", "intermediate", "review", 1),
    ("liwen", "beginner", "fail", 20),
    ("liwen", "beginner", "fail", 12),
    ("liwen", "beginner", "fail", 5),
    ("zhaomin", "beginner", "fail", 0.1),  # may try again tomorrow
    ("hanxue", "beginner", "review", 0.5),  # the practical task waits for 周琳
    ("sunli", "beginner", "fail_review", 3),  # objective fine, practical too weak
    ("songyu", "beginner", "in_progress", 0),
]


def _question_rows(data: dict, articles: dict[str, int], author_id: int | None) -> list[Question]:
    out = []
    for q in data["questions"]:
        kind = q["kind"]
        options = [{"key": chr(65 + i), "text": t} for i, t in enumerate(q.get("options", []))]
        if kind == "true_false":
            answer = ["true" if q["answer"] in TRUE_WORDS else "false"]
        elif kind == "practical":
            answer = []
        else:
            answer = [k.strip() for k in q["answer"].split(",")]
        rubric = q.get("rubric", [])
        out.append(
            Question(
                external_id=q["id"],
                kind=kind,
                level=q["level"],
                tags=q["tags"],
                stem=q["stem"],
                options=options,
                answer=answer,
                explanation=q.get("explanation", ""),
                rubric=rubric,
                points=sum(r["points"] for r in rubric) if rubric else (2 if kind == "multiple" else 1),
                allow_upload=q.get("allow_upload", False),
                edition="2026Q4",
                created_by_id=author_id,
                article_ids=[articles[x] for x in q.get("links", []) if x in articles],
            )
        )
    return out


def load_quiz(now: datetime | None = None) -> int:
    if db.session.scalar(select(func.count(Question.id))):
        return 0
    now = (now or utcnow()).replace(second=0, microsecond=0)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    with unit_of_work():  # the definitions and the bank; each trainee's story is then told by the services
        for c in data["certifications"]:
            if services.certification(c["level"]) is None:
                db.session.add(Certification(**c))
        articles = dict(
            db.session.execute(select(Article.external_id, Article.id).where(Article.external_id.is_not(None))).all()
        )
        trainer = db.session.scalar(select(User).where(User.username == "zhoulin"))
        db.session.add_all(_question_rows(data, articles, trainer.id if trainer else None))
    rng = random.Random(2026)
    for username, level, outcome, days in sorted(STORIES, key=lambda s: -s[3]):
        _replay(
            db.session.scalar(select(User).where(User.username == username)),
            level,
            outcome,
            now - timedelta(days=days),
            trainer,
            rng,
        )
    return len(data["questions"])


def _replay(user: User, level: str, outcome: str, t0: datetime, trainer: User | None, rng: random.Random) -> None:
    attempt = services.start(user, level, now=t0, rng=rng)
    good = outcome in ("pass", "review", "fail_review")
    for item in attempt.items:
        q = item.question
        at = t0 + timedelta(minutes=1 + item.position)
        if q.kind == "practical":
            text = (
                "先在帮助中心搜索报错关键词，按文章清理缓存、更换浏览器并检查网络；仍无法解决时提交工单并附截图。"
                if good
                else "重启电脑。"
            )
            services.save_answer(attempt, user, item.position, [], text, now=at)
        else:
            right = list(q.answer)
            wrong = [k for k in item.option_order if k not in right][:1] or right
            keys = right if (good and rng.random() < 0.9) or (not good and rng.random() < 0.3) else wrong
            services.save_answer(attempt, user, item.position, keys, now=at)
    if outcome == "in_progress":
        return
    services.submit(attempt, user, now=t0 + timedelta(minutes=15))
    attempt = db.session.get(Attempt, attempt.id)
    if outcome in ("pass", "fail_review", "fail") and attempt.state == "pending_review" and trainer is not None:
        scores = []
        for item in attempt.items:
            for criterion in item.question.rubric or []:
                scores.append(criterion["points"] if outcome == "pass" else 0)
        reviewing.review(
            attempt,
            trainer,
            scores,
            "步骤清楚，处理方法可行。" if outcome == "pass" else "处理方法不完整，请重读第 9、10 章。",
            now=t0 + timedelta(hours=20),
        )
