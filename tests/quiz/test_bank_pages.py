"""The question bank pages: trainers only, one form for new and changed questions (errors beside
the fields, input kept), retiring, and the Excel export and import."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from portal.auth.roles import Role
from portal.auth.services import NewUser, create_user
from portal.extensions import db
from portal.kb.models import Article
from portal.quiz import xlsx
from portal.quiz.models import Question
from tests import factories as f
from tests.conftest import HTMX, csrf_from

PREFIX = "T-"  # the questions these tests write


@pytest.fixture(autouse=True)
def world(db_app):
    """An employee, an administrator and the articles questions link to (a FAQ and a chapter of
    the 2026Q4 manual, numbered as in the demo), in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟")
    f.user("admin", display_name="系统管理员", roles=[Role.ADMIN])
    f.article("忘记OA登录密码怎么办？", category="登录问题", external_id="demo-faq-001")
    f.article("登录与首页", manual=f.manual(edition="2026Q4"), position=1, external_id="demo-manual-01")
    db.session.commit()  # a savepoint only


@pytest.fixture
def client(db_client):
    return db_client


@pytest.fixture
def trainer(db_app):
    with db_app.app_context():
        create_user(
            NewUser(username="peixun", password="Demo@2026", display_name="培训师", roles=["employee", "trainer"]),
            check_strength=False,
        )
    return "peixun"


@pytest.fixture
def as_trainer(auth, trainer):
    auth.login(trainer)
    return auth


def mine(app) -> dict[str, dict]:
    """Our questions as comparable values, by number."""
    with app.app_context():
        out = {}
        for q in db.session.scalars(select(Question).where(Question.external_id.like(PREFIX + "%"))):
            out[q.external_id] = {
                k: getattr(q, k)
                for k in (
                    "kind",
                    "level",
                    "tags",
                    "stem",
                    "options",
                    "answer",
                    "points",
                    "explanation",
                    "rubric",
                    "allow_upload",
                    "article_ids",
                    "edition",
                    "active",
                )
            }
        return out


def article_id(app, external_id: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Article.id).where(Article.external_id == external_id))


def new_form(**extra) -> dict:
    data = {
        "kind": "single",
        "level": "beginner",
        "external_id": "T-001",
        "stem": "忘记 OA 密码时首先应该怎么做？",
        "option_A": "提交工单",
        "option_B": "在登录页自助重置",
        "option_C": "借用同事账号",
        "correct": ["B"],
        "points": "2",
        "tags": "登录，密码",
        "articles": "demo-faq-001",
        "edition": "2026Q4",
        "explanation": "登录页可以自助重置。",
        "active": "on",
    }
    data.update(extra)
    return data


def post(auth, path: str, data: dict, **kw):
    return auth.client.post(path, data={**data, "csrf_token": auth.csrf("/quiz/questions/new")}, **kw)


def row_error(html: str, row: int) -> bool:
    return bool(re.search(rf"(Row {row}:|第\s*{row}\s*行：)", html))


# --- access ------------------------------------------------------------------------------------

PAGES = ["/quiz/questions", "/quiz/questions/new", "/quiz/questions/export.xlsx", "/quiz/questions/import"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code in (302, 303) and "/login" in response.location


@pytest.mark.parametrize("path", PAGES)
def test_employees_may_not_open_the_bank(auth, path):
    auth.login("zhangwei")
    assert auth.client.get(path).status_code == 403


def test_employees_may_not_post_either(auth, db_app):
    auth.login("zhangwei")
    token = auth.csrf("/")
    assert auth.client.post("/quiz/questions/new", data={**new_form(), "csrf_token": token}).status_code == 403
    assert auth.client.post("/quiz/questions/import", data={"csrf_token": token}).status_code == 403
    assert mine(db_app) == {}


@pytest.mark.parametrize("path", PAGES)
def test_trainers_and_admins_open_the_bank(auth, trainer, path):
    for user in (trainer, "admin"):
        auth.login(user)
        assert auth.client.get(path).status_code == 200, user
        auth.logout()


# --- the form ----------------------------------------------------------------------------------


def test_a_trainer_writes_a_single_choice_question(as_trainer, db_app):
    response = post(as_trainer, "/quiz/questions/new", new_form())
    assert response.status_code == 303
    q = mine(db_app)["T-001"]
    assert q["kind"] == "single" and q["answer"] == ["B"] and q["points"] == 2 and q["tags"] == ["登录", "密码"]
    assert [o["key"] for o in q["options"]] == ["A", "B", "C"]
    assert q["article_ids"] == [article_id(db_app, "demo-faq-001")] and q["edition"] == "2026Q4"
    html = as_trainer.client.get(response.location).get_data(as_text=True)
    assert "T-001" in html and "忘记 OA 密码" in html


def test_errors_are_shown_beside_the_fields_and_the_input_is_kept(as_trainer, db_app):
    response = post(
        as_trainer, "/quiz/questions/new", new_form(stem="", correct=["A", "B"], points="0", option_D="第四个选项")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("stem", "answer", "points"):
        assert f'id="q-{field}-error"' in html and f'aria-describedby="q-{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert "在登录页自助重置" in html and "第四个选项" in html and 'value="登录，密码"' in html
    assert re.search(r'name="correct" value="A" checked', html) and re.search(r'name="correct" value="B" checked', html)
    assert mine(db_app) == {}


def test_unknown_articles_and_a_taken_number_are_field_errors(as_trainer, db_app):
    response = post(as_trainer, "/quiz/questions/new", new_form(articles="demo-faq-001, demo-faq-999, 99999"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="q-articles-error"' in html and "demo-faq-999" in html
    assert "99999" in html.split('id="q-articles-error"')[1].split("</p>")[0]
    assert post(as_trainer, "/quiz/questions/new", new_form()).status_code == 303
    again = post(as_trainer, "/quiz/questions/new", new_form(stem="另一道题"))
    assert again.status_code == 422 and 'id="q-external_id-error"' in again.get_data(as_text=True)
    assert len(mine(db_app)) == 1


def test_true_false_and_practical_questions_from_the_form(as_trainer, db_app):
    tf = {
        "kind": "true_false",
        "level": "intermediate",
        "external_id": "T-TF",
        "stem": "审批提交后可以撤回。",
        "tf_answer": "false",
        "points": "1",
        "active": "on",
    }
    assert post(as_trainer, "/quiz/questions/new", tf).status_code == 303
    practical = {
        "kind": "practical",
        "level": "advanced",
        "external_id": "T-P",
        "stem": "配置一个请假审批流程。",
        "criterion": ["流程节点正确", "审批人正确", ""],
        "criterion_points": ["4", "6", ""],
        "allow_upload": "on",
        "active": "on",
        "articles": "demo-manual-01",
    }
    assert post(as_trainer, "/quiz/questions/new", practical).status_code == 303
    bank = mine(db_app)
    assert bank["T-TF"]["answer"] == ["false"] and bank["T-TF"]["options"] == []
    assert bank["T-P"]["rubric"] == [
        {"criterion": "流程节点正确", "points": 4},
        {"criterion": "审批人正确", "points": 6},
    ]
    assert bank["T-P"]["points"] == 10 and bank["T-P"]["allow_upload"] is True
    bad = post(
        as_trainer, "/quiz/questions/new", {**practical, "external_id": "T-P2", "criterion_points": ["4", "x", ""]}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="q-rubric-error"' in html and 'value="流程节点正确"' in html


def test_a_question_without_a_number_gets_one(as_trainer, db_app):
    assert post(as_trainer, "/quiz/questions/new", new_form(external_id="")).status_code == 303
    with db_app.app_context():
        q = db.session.scalar(select(Question).where(Question.stem == new_form()["stem"]))
        assert q.external_id == f"Q{q.id:05d}"


def _id(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Question.id).where(Question.external_id == number))


def test_editing_keeps_the_form_and_refuses_a_stale_copy(as_trainer, db_app):
    post(as_trainer, "/quiz/questions/new", new_form())
    path = f"/quiz/questions/{_id(db_app, 'T-001')}/edit"
    page = as_trainer.client.get(path).get_data(as_text=True)
    assert 'value="在登录页自助重置"' in page and re.search(r'name="correct" value="B" checked', page)
    stamp = re.search(r'name="stamp" value="([^"]*)"', page).group(1)
    data = new_form(kind="multiple", correct=["A", "B"], stamp=stamp, csrf_token=csrf_from(page))
    assert as_trainer.client.post(path, data=data).status_code == 303
    assert mine(db_app)["T-001"]["answer"] == ["A", "B"] and mine(db_app)["T-001"]["kind"] == "multiple"
    stale = as_trainer.client.post(path, data={**data, "stem": "我的旧版本"})
    assert stale.status_code == 409 and "我的旧版本" in stale.get_data(as_text=True)
    assert mine(db_app)["T-001"]["stem"] == new_form()["stem"]
    assert as_trainer.client.get("/quiz/questions/999999/edit").status_code == 404


def test_retire_and_activate_no_delete(as_trainer, db_app):
    post(as_trainer, "/quiz/questions/new", new_form())
    qid = _id(db_app, "T-001")
    token = as_trainer.csrf("/quiz/questions")
    response = as_trainer.client.post(
        f"/quiz/questions/{qid}/toggle", data={"csrf_token": token, "next": "/quiz/questions?active=0"}
    )
    assert response.status_code == 303 and response.location.endswith("/quiz/questions?active=0")
    assert mine(db_app)["T-001"]["active"] is False
    evil = as_trainer.client.post(
        f"/quiz/questions/{qid}/toggle", data={"csrf_token": token, "next": "//evil.example/"}
    )
    assert evil.location == "/quiz/questions" and mine(db_app)["T-001"]["active"] is True
    assert as_trainer.client.delete(f"/quiz/questions/{qid}/edit").status_code == 405


def test_the_list_filters_counts_per_level_and_pages(as_trainer, db_app):
    with db_app.app_context():
        for i in range(33):
            db.session.add(
                Question(
                    external_id=f"{PREFIX}{i:03d}",
                    kind="single" if i % 3 else "true_false",
                    level="beginner" if i < 31 else "advanced",
                    tags=["登录" if i % 2 else "审批"],
                    stem=f"第{i}题 题干",
                    options=[{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                    answer=["A"],
                    active=i != 5,
                )
            )
        db.session.commit()
    html = as_trainer.client.get("/quiz/questions?q=T-").get_data(as_text=True)
    assert re.search(r"\(31\)", html) and re.search(r"\(2\)", html) and re.search(r"\(33\)", html)
    assert html.count('/toggle"') == 30 and 'rel="next"' in html
    assert as_trainer.client.get("/quiz/questions?q=T-&page=2").get_data(as_text=True).count('/toggle"') == 3
    advanced = as_trainer.client.get("/quiz/questions?q=T-&level=advanced").get_data(as_text=True)
    assert "第31题" in advanced and "第30题" not in advanced
    tagged = as_trainer.client.get("/quiz/questions?q=T-&tag=审批&kind=true_false").get_data(as_text=True)
    assert tagged.count('/toggle"') == len([i for i in range(33) if i % 2 == 0 and i % 3 == 0])
    retired = as_trainer.client.get("/quiz/questions?q=T-&active=0").get_data(as_text=True)
    assert "第5题" in retired and retired.count('/toggle"') == 1
    fragment = as_trainer.client.get("/quiz/questions?q=第7题", headers=HTMX).get_data(as_text=True)
    assert "<!doctype html>" not in fragment and "第7题" in fragment


# --- Excel ---------------------------------------------------------------------------------------

HEADER = [
    "编号",
    "级别",
    "题型",
    "标签",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "分值",
    "解析",
    "评分标准",
    "允许上传",
    "关联文章",
    "手册版本",
    "启用",
]


def workbook(rows, header=HEADER, title_rows=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in (*title_rows, header, *rows):
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TRAINER_ROWS = [  # as a trainer types them: Chinese labels, full-width commas, a number typed as a number
    [
        "T-S1",
        "初级",
        "单选",
        "登录，密码",
        "忘记密码时首先应该怎么做？",
        "提交工单",
        "自助重置",
        "借用账号",
        "",
        "b",
        2,
        "登录页可自助重置。",
        "",
        "否",
        "demo-faq-001",
        "2026Q4",
        "是",
    ],
    [
        "T-M1",
        "中级",
        "多选题",
        "审批、报销",
        "报销单可以由谁退回？",
        "直属上级",
        "财务",
        "本人",
        "总经理",
        "A，B，D",
        "",
        "",
        "",
        "",
        "demo-faq-001，demo-manual-01",
        "",
        "",
    ],
    ["T-T1", "初级", "判断", "登录", "账号锁定 30 分钟后自动解锁。", "", "", "", "", "对", 1, "", "", "", "", "", "是"],
    [
        "T-P1",
        "高级",
        "实操",
        "流程",
        "配置一个请假审批流程并截图。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "流程节点正确：4\n审批人设置正确：3分\n截图清晰：3",
        "是",
        "",
        "2026Q4",
        "否",
    ],
]


def upload(auth, data: bytes, name="题库.xlsx", **form):
    return auth.client.post(
        "/quiz/questions/import",
        data={"file": (io.BytesIO(data), name), "csrf_token": auth.csrf("/quiz/questions/import"), **form},
        content_type="multipart/form-data",
    )


def test_importing_a_trainers_workbook(as_trainer, db_app):
    response = upload(as_trainer, workbook(TRAINER_ROWS, title_rows=[["OA 认证题库（2026Q4）"]]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert 'id="import-result"' in response.get_data(as_text=True)
    bank = mine(db_app)
    assert set(bank) == {"T-S1", "T-M1", "T-T1", "T-P1"}
    assert bank["T-S1"]["answer"] == ["B"] and bank["T-S1"]["points"] == 2 and bank["T-S1"]["tags"] == ["登录", "密码"]
    assert bank["T-M1"]["answer"] == ["A", "B", "D"] and bank["T-M1"]["level"] == "intermediate"
    assert bank["T-M1"]["article_ids"] == [article_id(db_app, "demo-faq-001"), article_id(db_app, "demo-manual-01")]
    assert bank["T-T1"]["answer"] == ["true"]
    assert bank["T-P1"]["points"] == 10 and bank["T-P1"]["active"] is False and bank["T-P1"]["allow_upload"] is True


def test_export_then_import_gives_the_same_questions(as_trainer, db_app):
    assert upload(as_trainer, workbook(TRAINER_ROWS)).status_code == 200
    formula = new_form(external_id="T-F1", stem="=1+1 在题干开头也只是文字", tags="", articles="")
    assert post(as_trainer, "/quiz/questions/new", formula).status_code == 303
    before = mine(db_app)
    exported = as_trainer.client.get("/quiz/questions/export.xlsx?q=T-")
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in exported.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(exported.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:5]) == ["编号", "级别", "题型", "标签", "题干"] and len(rows) == 6
    by_number = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_number["T-M1"]["答案"] == "A,B,D" and by_number["T-T1"]["答案"] == "对"
    assert by_number["T-M1"]["关联文章"] == "demo-faq-001,demo-manual-01" and by_number["T-S1"]["级别"] == "初级"
    assert by_number["T-P1"]["评分标准"] == "流程节点正确:4\n审批人设置正确:3\n截图清晰:3"
    formula_cell = next(row[4] for row in sheet.iter_rows(min_row=2) if row[0].value == "T-F1")
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("=1+1")  # text, never a formula

    again = upload(as_trainer, exported.data)
    assert again.status_code == 200
    assert mine(db_app) == before
    with db_app.app_context():
        assert db.session.scalar(select(Question.id).where(Question.external_id == "T-S1")) is not None
        assert len(db.session.scalars(select(Question).where(Question.external_id.like("T-%"))).all()) == 5


def test_an_exported_row_changed_in_excel_updates_its_question(as_trainer, db_app):
    upload(as_trainer, workbook(TRAINER_ROWS))
    exported = as_trainer.client.get("/quiz/questions/export.xlsx").data
    wb = load_workbook(io.BytesIO(exported))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "T-S1":
            row[header.index("题干")].value = "改过的题干"
            row[header.index("启用")].value = "否"
    out = io.BytesIO()
    wb.save(out)
    response = upload(as_trainer, out.getvalue())
    assert response.status_code == 200
    bank = mine(db_app)
    assert bank["T-S1"]["stem"] == "改过的题干" and bank["T-S1"]["active"] is False and len(bank) == 4


def test_bad_rows_are_reported_by_row_number_and_nothing_is_written(as_trainer, db_app):
    rows = [
        TRAINER_ROWS[0],
        ["T-X1", "初级", "单选", "", "两个正确答案？", "甲", "乙", "", "", "A,B", "", "", "", "", "", "", ""],
        TRAINER_ROWS[2],
        ["T-X2", "专家", "问答", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["T-X3", "初级", "判断", "", "文章不存在", "", "", "", "", "错", "", "", "", "", "demo-faq-999", "", ""],
        ["T-S1", "初级", "判断", "", "编号重复", "", "", "", "", "对", "", "", "", "", "", "", ""],
    ]
    response = upload(as_trainer, workbook(rows, title_rows=[["说明"]]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="import-errors"' in html
    assert not row_error(html, 3) and row_error(html, 4) and not row_error(html, 5)
    assert row_error(html, 6) and row_error(html, 7) and row_error(html, 8)
    errors = html.split('id="import-errors"')[1]
    assert "答案" in errors and "级别" in errors and "题型" in errors and "题干" in errors
    assert "demo-faq-999" in errors and "T-S1" in errors
    assert mine(db_app) == {}

    skipped = upload(as_trainer, workbook(rows, title_rows=[["说明"]]), skip_bad="on")
    assert skipped.status_code == 200 and row_error(skipped.get_data(as_text=True), 4)
    assert set(mine(db_app)) == {"T-S1", "T-T1"}


def test_english_headers_are_accepted(as_trainer, db_app):
    header = ["External ID", "Level", "Kind", "Tags", "Stem", "Option A", "Option B", "Answer", "Points"]
    row = ["T-E1", "beginner", "single", "login", "Which page resets a password?", "Login", "Profile", "A", "3"]
    assert upload(as_trainer, workbook([row], header=header)).status_code == 200
    assert mine(db_app)["T-E1"]["points"] == 3


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"not a workbook", "题库.xlsx"),
        (b"a,b\n", "题库.csv"),
        (None, "题库.xlsx"),
        ("no header", "题库.xlsx"),
        ("header only", "题库.xlsx"),
    ],
)
def test_unreadable_files_are_refused_whole(as_trainer, db_app, data, name):
    if data is None:
        response = as_trainer.client.post(
            "/quiz/questions/import", data={"csrf_token": as_trainer.csrf("/quiz/questions/import")}
        )
    else:
        if data == "no header":
            data = workbook([["T-1", "初级"]], header=["随便", "什么"])
        elif data == "header only":
            data = workbook([])
        response = upload(as_trainer, data, name=name)
    assert response.status_code == 422 and 'id="import-problem"' in response.get_data(as_text=True)
    assert mine(db_app) == {}


def test_the_workbook_module_round_trips_every_kind(db_app):
    with db_app.app_context():
        result = xlsx.import_questions(workbook(TRAINER_ROWS), None)
        assert (result.created, result.updated, result.errors, result.written) == (4, 0, [], True)
        before = mine(db_app)
        data = xlsx.export_questions(select(Question).where(Question.external_id.like("T-%")))
        result = xlsx.import_questions(data, None)
        assert (result.created, result.updated) == (0, 4)
    assert mine(db_app) == before
