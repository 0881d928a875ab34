"""Cleaning one bank question (pure): what trainers type in the form or in an Excel row."""

from __future__ import annotations

import pytest

from portal.quiz import bank
from portal.quiz.bank import clean_question


def single(**extra) -> dict:
    raw = {
        "kind": "单选",
        "level": "初级",
        "stem": "忘记密码时首先应该怎么做？",
        "option_A": "提交工单",
        "option_B": "在登录页点击“忘记密码”自助重置",
        "option_C": "借用同事账号",
        "answer": "B",
    }
    raw.update(extra)
    return raw


def ok(raw) -> dict:
    values, errors = clean_question(raw)
    assert errors == {}, errors
    return values


def error(raw, field: str) -> str:
    _values, errors = clean_question(raw)
    assert field in errors, errors
    return errors[field]


def test_a_single_choice_question_typed_in_chinese():
    v = ok(
        single(
            tags="登录，密码、 自助",
            external_id="Q-B-01",
            points="",
            articles="demo-faq-001，12",
            explanation="登录页提供自助重置。",
            edition="2026Q4",
        )
    )
    assert v["kind"] == "single" and v["level"] == "beginner"
    assert v["options"] == [
        {"key": "A", "text": "提交工单"},
        {"key": "B", "text": "在登录页点击“忘记密码”自助重置"},
        {"key": "C", "text": "借用同事账号"},
    ]
    assert v["answer"] == ["B"] and v["points"] == 1 and v["tags"] == ["登录", "密码", "自助"]
    assert v["article_refs"] == ["demo-faq-001", 12] and v["external_id"] == "Q-B-01"
    assert v["edition"] == "2026Q4" and v["active"] is True and v["rubric"] == [] and v["allow_upload"] is False


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("单选", "single"),
        ("单选题", "single"),
        ("single", "single"),
        ("Single", "single"),
        ("多选", "multiple"),
        ("多选题", "multiple"),
        ("multiple", "multiple"),
        ("判断", "true_false"),
        ("判断题", "true_false"),
        ("true_false", "true_false"),
        ("实操", "practical"),
        ("实操题", "practical"),
        (" practical ", "practical"),
    ],
)
def test_kinds_in_chinese_and_english(word, kind):
    assert bank.normal_kind(word) == kind


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("初级", "beginner"),
        ("中级", "intermediate"),
        ("高级", "advanced"),
        ("Beginner", "beginner"),
        ("advanced", "advanced"),
        ("中级认证", "intermediate"),
    ],
)
def test_levels_in_chinese_and_english(word, level):
    assert ok(single(level=word))["level"] == level


@pytest.mark.parametrize(("field", "value"), [("kind", "问答"), ("kind", ""), ("level", "专家"), ("level", None)])
def test_unknown_kind_or_level(field, value):
    assert error(single(**{field: value}), field)


def test_the_stem_is_required_and_limited():
    assert error(single(stem="   "), "stem")
    assert error(single(stem="题" * 2001), "stem")
    assert ok(single(stem="题" * 2000))["stem"] == "题" * 2000


@pytest.mark.parametrize("answer", ["B", "b", "Ｂ", " B ", ["B"]])
def test_single_answer_spellings(answer):
    assert ok(single(answer=answer))["answer"] == ["B"]


@pytest.mark.parametrize("answer", ["", "A,B", "AB", "D", "对", "1"])
def test_single_needs_exactly_one_existing_option(answer):
    assert error(single(answer=answer), "answer")


def test_options_are_two_to_eight_without_gaps():
    assert "two" in error(
        {"kind": "单选", "level": "初级", "stem": "?", "option_A": "只有一个", "answer": "A"}, "options"
    )
    assert "C" in error(single(option_C="", option_D="第四个"), "options")
    eight = {f"option_{k}": f"选项{k}" for k in "ABCDEFGH"}
    assert len(ok(single(**eight, answer="H"))["options"]) == 8
    nine = {"kind": "单选", "level": "初级", "stem": "?", "answer": "A", "options": [str(i) for i in range(9)]}
    assert error(nine, "options")
    listed = ok(
        {
            "kind": "单选",
            "level": "初级",
            "stem": "?",
            "answer": "b",
            "options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
        }
    )
    assert listed["options"] == [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}]


@pytest.mark.parametrize(
    ("answer", "keys"),
    [
        ("A,C", ["A", "C"]),
        ("A，C", ["A", "C"]),
        ("AC", ["A", "C"]),
        ("C、A", ["A", "C"]),
        ("a c", ["A", "C"]),
        ("ＡＣ", ["A", "C"]),
        ("A;B;C", ["A", "B", "C"]),
        (["C", "A"], ["A", "C"]),
    ],
)
def test_multiple_answer_spellings(answer, keys):
    assert ok(single(kind="多选", answer=answer))["answer"] == keys


def test_multiple_needs_at_least_two_correct_options():
    assert "single-choice" in error(single(kind="多选", answer="A"), "answer")
    assert error(single(kind="多选", answer=""), "answer")
    assert error(single(kind="多选", answer="A,E"), "answer")


@pytest.mark.parametrize(
    ("word", "answer"),
    [
        ("对", "true"),
        ("错", "false"),
        ("true", "true"),
        ("FALSE", "false"),
        ("T", "true"),
        ("f", "false"),
        ("是", "true"),
        ("否", "false"),
        ("正确", "true"),
        ("错误", "false"),
        ("√", "true"),
        ("×", "false"),
        (True, "true"),
        (False, "false"),
        (["true"], "true"),
    ],
)
def test_true_false_answers(word, answer):
    v = ok({"kind": "判断", "level": "中级", "stem": "审批可以撤回。", "answer": word, "points": "2"})
    assert v["answer"] == [answer] and v["options"] == [] and v["points"] == 2


def test_true_false_refuses_other_answers_and_options():
    base = {"kind": "判断", "level": "中级", "stem": "审批可以撤回。"}
    assert error({**base, "answer": "也许"}, "answer")
    assert error({**base, "answer": ""}, "answer")
    assert error({**base, "answer": "对", "option_A": "对"}, "options")


def practical(**extra) -> dict:
    raw = {
        "kind": "实操",
        "level": "高级",
        "stem": "为新员工配置一个请假审批流程并截图。",
        "rubric": "流程节点正确：4\n审批人设置正确:3分\n截图清晰: 3",
        "allow_upload": "是",
    }
    raw.update(extra)
    return raw


def test_practical_task_with_a_rubric_in_lines():
    v = ok(practical())
    assert v["rubric"] == [
        {"criterion": "流程节点正确", "points": 4},
        {"criterion": "审批人设置正确", "points": 3},
        {"criterion": "截图清晰", "points": 3},
    ]
    assert v["points"] == 10 and v["allow_upload"] is True and v["options"] == [] and v["answer"] == []


def test_practical_rubric_as_rows_skips_empty_rows():
    rows = [("定位原因", "4"), ("", ""), {"criterion": "步骤正确", "points": 6}]
    v = ok(practical(rubric=rows, allow_upload=""))
    assert v["points"] == 10 and len(v["rubric"]) == 2 and v["allow_upload"] is False


def test_a_criterion_text_may_contain_a_colon():
    v = ok(practical(rubric="打开 http://oa.example:8080 并登录：5"))
    assert v["rubric"] == [{"criterion": "打开 http://oa.example:8080 并登录", "points": 5}]


@pytest.mark.parametrize(
    "rubric", ["", "没有分值", "步骤：0", "步骤：101", "步骤：2.5", "：3", "\n".join(f"第{i}步：1" for i in range(11))]
)
def test_bad_rubrics(rubric):
    assert error(practical(rubric=rubric), "rubric")


def test_practical_points_are_the_rubric_total():
    assert ok(practical(points="10"))["points"] == 10
    assert "10" in error(practical(points="20"), "points")
    assert error(practical(option_A="不该有"), "options")
    assert error(practical(answer="A"), "answer")
    assert error(practical(allow_upload="也许"), "allow_upload")


def test_only_practical_tasks_have_a_rubric():
    assert error(single(rubric="步骤：3"), "rubric")


@pytest.mark.parametrize(
    ("points", "value"), [("", 1), (None, 1), ("3", 3), (3, 3), (3.0, 3), ("２", 2), ("5分", 5), ("100", 100)]
)
def test_objective_points(points, value):
    assert ok(single(points=points))["points"] == value


@pytest.mark.parametrize("points", ["0", "101", "1.5", "两分", "-1"])
def test_bad_points(points):
    assert error(single(points=points), "points")


def test_tags_split_on_chinese_and_ascii_separators_and_deduplicate():
    assert ok(single(tags="登录,权限，审批;报销；考勤、登录  移动端"))["tags"] == [
        "登录",
        "权限",
        "审批",
        "报销",
        "考勤",
        "移动端",
    ]
    assert ok(single(tags=["登录", " 权限 ", ""]))["tags"] == ["登录", "权限"]
    assert error(single(tags="长" * 31), "tags")
    assert error(single(tags=",".join(str(i) for i in range(21))), "tags")


def test_external_id_and_active():
    assert ok(single(external_id=1001))["external_id"] == "1001"
    assert ok(single(external_id=" "))["external_id"] is None
    assert error(single(external_id="Q B"), "external_id")
    assert error(single(external_id="Q" * 61), "external_id")
    assert ok(single(active="否"))["active"] is False
    assert ok(single(active="启用"))["active"] is True
    assert ok(single(active=""))["active"] is True
    assert error(single(active="也许"), "active")


def test_article_references_stay_unresolved_and_resolve_against_what_exists():
    v = ok(single(articles="demo-faq-001、demo-manual-03 7 demo-faq-001"))
    assert v["article_refs"] == ["demo-faq-001", "demo-manual-03", 7]
    ids, missing = bank.resolve_refs(v["article_refs"], {"demo-faq-001": 1, "demo-manual-03": 30}, {1, 30})
    assert ids == [1, 30] and missing == ["7"]
    assert error(single(articles=",".join(f"a{i}" for i in range(21))), "articles")


def test_several_errors_are_reported_together():
    _values, errors = clean_question(
        {"kind": "单选", "level": "", "stem": "", "option_A": "甲", "answer": "A", "points": "0"}
    )
    assert {"level", "stem", "options", "points"} <= set(errors)


def test_texts_back_for_the_form_and_excel():
    assert bank.answer_text("true_false", ["true"]) == "对" and bank.answer_text("multiple", ["A", "C"]) == "A,C"
    v = ok(practical())
    assert bank.rubric_text(v["rubric"]) == "流程节点正确:4\n审批人设置正确:3\n截图清晰:3"
    assert ok(practical(rubric=bank.rubric_text(v["rubric"])))["rubric"] == v["rubric"]
