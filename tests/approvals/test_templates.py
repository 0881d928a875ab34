"""Approval templates as data: the shipped definitions, definition errors, and cleaning user input."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.approvals import templates as T
from portal.approvals.templates import TemplateError, amount, clean, label, parse, target_department, to_json

BUILTIN = T.builtin()
PROCUREMENT, LEAVE, EXPENSE, GENERIC = (BUILTIN[k] for k in ("procurement", "leave", "expense", "generic"))


def texts(zh: str) -> dict[str, str]:
    return {"zh_CN": zh, "en": zh, "ja": zh}


def definition(*fields: dict, **top: object) -> dict:
    return {
        "key": "sample",
        "version": 1,
        "name": texts("样例"),
        "amount_field": None,
        "department_field": None,
        "fields": list(fields),
        **top,
    }


def fdef(name: str, type_: str, **extra: object) -> dict:
    return {"name": name, "type": type_, "label": texts(name), **extra}


def one(field: dict, value: object, **kwargs: object) -> tuple[object, str | None]:
    """Clean a single value through a one-field template: (value or None, error key or None)."""
    template = parse(definition(field))
    values, errors = clean(template, {field["name"]: value}, **kwargs)
    return values.get(field["name"]), errors.get(field["name"])


# --- the shipped templates ---------------------------------------------------------------------


def test_the_four_builtin_templates_parse_sorted_by_key():
    assert list(BUILTIN) == ["expense", "generic", "leave", "procurement"]
    assert T.load_dir(T.BUILTIN_DIR) == BUILTIN


def test_every_builtin_text_is_in_all_three_languages():
    for template in BUILTIN.values():
        groups = [template.names, template.descriptions]
        for f in template.fields:
            groups += [f.labels] + ([f.helps] if f.helps else []) + [o.labels for o in f.options]
        for group in groups:
            assert set(group) == set(T.LANGUAGES), (template.key, group)


def test_routing_conditions_are_data():
    assert (PROCUREMENT.amount_field, PROCUREMENT.department_field) == ("amount", "target_department")
    assert PROCUREMENT.field("amount").required and not PROCUREMENT.field("target_department").required
    assert (LEAVE.amount_field, LEAVE.department_field) == (None, None)
    assert (EXPENSE.amount_field, EXPENSE.department_field) == ("amount", None)
    assert (GENERIC.amount_field, GENERIC.department_field) == ("amount", "department")
    assert not GENERIC.field("amount").required and GENERIC.field("details").required
    assert PROCUREMENT.field("category").option_values() == (
        "office_supplies",
        "it_equipment",
        "services",
        "construction",
    )
    assert len(LEAVE.field("leave_type").options) == 7


def test_label_falls_back_to_chinese_then_any():
    names = PROCUREMENT.names
    assert [label(names, loc) for loc in ("zh_CN", "en", "ja")] == ["采购申请", "Procurement", "購買申請"]
    assert label(names, "en_US") == "Procurement" and label(names, "zh-Hans-CN") == "采购申请"
    assert label(names, "fr") == "采购申请" and label(names, "") == "采购申请"
    assert label({"en": "Only"}, "ja") == "Only" and label({}, "en") == ""


# --- definition errors -------------------------------------------------------------------------

GOOD_FIELD = fdef("item", "text", required=True)


@pytest.mark.parametrize(
    "data, needle",
    [
        (definition(fdef("x", "currency")), "field 'x': unknown type 'currency'"),
        (definition(GOOD_FIELD, fdef("item", "textarea")), "field 'item': duplicate field name"),
        (definition(GOOD_FIELD, amount_field="item"), "amount_field 'item' must be a money field"),
        (definition(GOOD_FIELD, amount_field="price"), "amount_field 'price' names no field"),
        (definition(GOOD_FIELD, department_field="item"), "department_field 'item' must be a department field"),
        (definition(fdef("kind", "select")), "field 'kind': a select field needs a non-empty list of options"),
        (
            definition(
                fdef(
                    "kind", "select", options=[{"value": "a", "label": texts("A")}, {"value": "a", "label": texts("B")}]
                )
            ),
            "field 'kind': duplicate option value 'a'",
        ),
        (
            definition({**GOOD_FIELD, "label": {"zh_CN": "事项", "fr": "Objet"}}),
            "field 'item': label has unknown languages ['fr']",
        ),
        (definition({**GOOD_FIELD, "label": {"en": "Item"}}), "field 'item': label lacks the zh_CN text"),
        (
            definition({**GOOD_FIELD, "label": {"zh_CN": " "}}),
            "field 'item': label in zh_CN must be a non-empty string",
        ),
        (definition(GOOD_FIELD, name={"zh_CN": "样例", "de": "Muster"}), "template: name has unknown languages ['de']"),
        (definition({**GOOD_FIELD, "placeholder": "x"}), "field 'item': unknown keys ['placeholder']"),
        (definition(GOOD_FIELD, routing="fast"), "template: unknown keys ['routing']"),
        (definition(fdef("n", "integer", max_length=3)), "field 'n': max_length is not allowed for a integer field"),
        (definition(fdef("s", "text", min=1)), "field 's': min is not allowed for a text field"),
        (definition(fdef("n", "integer", min=5, max=1)), "field 'n': min 5 is greater than max 1"),
        (definition(fdef("n", "integer", max=2.5)), "field 'n': max must be a whole number"),
        (definition(fdef("m", "money", min=-1)), "field 'm': min of a money field cannot be negative"),
        (definition(fdef("m", "money", max="10000000000000")), "field 'm': bounds must lie within"),
        (definition(fdef("d", "number", step=0)), "field 'd': step must be positive"),
        (definition({**GOOD_FIELD, "required": "yes"}), "field 'item': required must be true or false"),
        (definition(fdef("Item Name", "text")), "field #1: name 'Item Name' must match"),
        (definition(GOOD_FIELD, key="Bad-Key"), "template: key 'Bad-Key' must match"),
        (definition(GOOD_FIELD, version=0), "template: version must be a whole number >= 1"),
        (definition(), "template: fields must be a non-empty list"),
        (
            definition(fdef("period", "date_range"), fdef("period_start", "date")),
            "field 'period_start': name clashes with the inputs of date range 'period'",
        ),
    ],
)
def test_definition_errors_name_the_file_the_field_and_the_problem(data, needle):
    with pytest.raises(TemplateError) as caught:
        parse(data, "sample.json")
    assert str(caught.value).startswith("sample.json: ") and needle in str(caught.value)


def test_load_dir_reports_bad_json_and_a_key_that_is_not_the_file_name(tmp_path: Path):
    good = json.loads((T.BUILTIN_DIR / "leave.json").read_text(encoding="utf-8"))
    (tmp_path / "leave.json").write_text(json.dumps(good), encoding="utf-8")
    assert list(T.load_dir(tmp_path)) == ["leave"]
    (tmp_path / "zz.json").write_text(json.dumps(good), encoding="utf-8")
    with pytest.raises(TemplateError, match="zz.json: template: key 'leave' differs from the file name"):
        T.load_dir(tmp_path)
    (tmp_path / "zz.json").write_text('{"key": ', encoding="utf-8")
    with pytest.raises(TemplateError, match="zz.json: not valid UTF-8 JSON"):
        T.load_dir(tmp_path)


def test_builtin_templates_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        PROCUREMENT.names["zh_CN"] = "x"  # type: ignore[index]
    mine = T.builtin()
    mine.pop("leave")
    assert "leave" in T.builtin()


# --- cleaning: money ---------------------------------------------------------------------------

MONEY = fdef("amount", "money", required=True)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0", "0.00"),
        ("0.01", "0.01"),
        ("99999.99", "99999.99"),
        ("1000000.01", "1000000.01"),
        ("1200000", "1200000.00"),
        (" 12.5 ", "12.50"),
        ("1.500", "1.50"),
        ("1,000", "1000.00"),
        ("1,234,567.89", "1234567.89"),  # thousands separators are accepted
        ("１２３", "123.00"),
        ("１，０００．５", "1000.50"),  # full-width digits and punctuation
        ("¥1,200,000", "1200000.00"),
        ("￥500", "500.00"),
        ("300元", "300.00"),
        (100, "100.00"),
        (12.5, "12.50"),
        (Decimal("7.1"), "7.10"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_money_accepts_what_chinese_users_type(raw, expected):
    value, error = one(MONEY, raw)
    assert error is None and value == Decimal(expected) and str(value) == expected


@pytest.mark.parametrize(
    "raw, error",
    [
        ("-1", "too_small"),
        ("-0.01", "too_small"),
        ("－５", "too_small"),
        ("1.005", "too_many_decimals"),
        ("0.001", "too_many_decimals"),
        ("1000000000000", "too_large"),
        ("9" * 40, "too_large"),
        (1e20, "too_large"),
        ("abc", "not_a_number"),
        ("1,5", "not_a_number"),
        ("1,0000", "not_a_number"),
        ("1e5", "not_a_number"),
        ("NaN", "not_a_number"),
        (float("nan"), "not_a_number"),
        (float("inf"), "not_a_number"),
        (True, "not_a_number"),
        (["1"], "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("", "required"),
        ("  ", "required"),
        (None, "required"),
    ],
)
def test_money_refuses_what_is_not_an_amount(raw, error):
    assert one(MONEY, raw) == (None, error)


def test_money_bounds_from_the_definition():
    capped = fdef("amount", "money", min="0.01", max=500000)
    assert one(capped, "0") == (None, "too_small")
    assert one(capped, "500000") == (Decimal("500000.00"), None)
    assert one(capped, "500000.01") == (None, "too_large")


# --- cleaning: other types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("3", (3, None)),
        ("３", (3, None)),
        (3, (3, None)),
        (3.0, (3, None)),
        ("1,000", (None, "too_large")),
        ("3.5", (None, "not_an_integer")),
        ("3.555", (None, "not_an_integer")),
        ("-1", (None, "too_small")),
        ("999", (999, None)),
        ("1000", (None, "too_large")),
        ("x", (None, "not_a_number")),
        (None, (None, None)),
    ],
)
def test_integer(raw, expected):
    assert one(fdef("n", "integer", min=0, max=999), raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0.5", (Decimal("0.5"), None)),
        ("1.5", (Decimal("1.5"), None)),
        ("3", (Decimal("3"), None)),
        ("０.５", (Decimal("0.5"), None)),
        ("1.3", (None, "bad_step")),
        ("0", (None, "too_small")),
        ("365", (Decimal("365"), None)),
        ("365.5", (None, "too_large")),
        ("", (None, "required")),
    ],
)
def test_leave_days_come_in_half_days(raw, expected):
    field = next(
        f for f in json.loads((T.BUILTIN_DIR / "leave.json").read_text("utf-8"))["fields"] if f["name"] == "days"
    )
    assert one(field, raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2025-03-01", (date(2025, 3, 1), None)),
        ("2025-3-1", (date(2025, 3, 1), None)),
        ("２０２５-０３-０１", (date(2025, 3, 1), None)),
        (date(2025, 3, 1), (date(2025, 3, 1), None)),
        ("2025-02-30", (None, "bad_date")),
        ("03/01/2025", (None, "bad_date")),
        ("tomorrow", (None, "bad_date")),
        (20250301, (None, "bad_date")),
        ("", (None, None)),
    ],
)
def test_date(raw, expected):
    assert one(fdef("d", "date"), raw) == expected


DAY1, DAY3 = date(2025, 5, 6), date(2025, 5, 8)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"start": "2025-05-06", "end": "2025-05-08"}, ((DAY1, DAY3), None)),
        ("2025-05-06/2025-05-08", ((DAY1, DAY3), None)),
        ("2025-05-06 至 2025-05-08", ((DAY1, DAY3), None)),
        ("2025-05-06 ～ 2025-05-08", ((DAY1, DAY3), None)),
        (["2025-05-06", DAY3], ((DAY1, DAY3), None)),
        ("2025-05-06/2025-05-06", ((DAY1, DAY1), None)),
        ({"start": "2025-05-08", "end": "2025-05-06"}, (None, "range_order")),
        ("2025-05-08/2025-05-06", (None, "range_order")),
        ({"start": "2025-05-06", "end": ""}, (None, "bad_date")),
        ("2025-05-06", (None, "bad_date")),
        ("2025-05-06/2025-13-01", (None, "bad_date")),
        (5, (None, "bad_date")),
        ({"start": "", "end": ""}, (None, "required")),
        ("", (None, "required")),
    ],
)
def test_date_range(raw, expected):
    assert one(fdef("period", "date_range", required=True), raw) == expected


def test_date_range_from_two_form_inputs():
    values, errors = clean(LEAVE, {"period_start": "2025-05-06", "period_end": "2025-05-08"})
    assert values["period"] == (DAY1, DAY3) and "period" not in errors
    _, errors = clean(LEAVE, {"period_start": "2025-05-08", "period_end": "2025-05-06"})
    assert errors["period"] == "range_order"


def test_select_takes_only_an_option_value():
    field = PROCUREMENT.field("category")
    assert clean(PROCUREMENT, {"category": " services "})[0]["category"] == "services"
    for bad in ("服务", "Services", "cars", 1, True, ["services"]):
        assert clean(PROCUREMENT, {"category": bad})[1]["category"] == "unknown_option", bad
    assert field.type == "select"


def test_department_must_be_one_of_the_given_departments():
    dep = fdef("target_department", "department")
    assert one(dep, 3, departments={3, 4}) == (3, None)
    assert one(dep, "4", departments=[3, 4]) == (4, None)
    assert one(dep, "４", departments={4}) == (4, None)
    assert one(dep, 5, departments={3, 4}) == (None, "unknown_department")
    assert one(dep, 3) == (None, "unknown_department")  # no departments given
    for bad in ("研发部", "3.0", True, -3, "٣"):
        assert one(dep, bad, departments={3}) == (None, "unknown_department"), bad
    assert one(dep, "", departments={3}) == (None, None)
    assert one({**dep, "required": True}, "", departments={3}) == (None, "required")


def test_text_is_stripped_limited_and_single_line():
    field = fdef("item", "text", required=True, max_length=5)
    assert one(field, "  abcde ") == ("abcde", None)
    assert one(field, "abcdef") == (None, "too_long")
    assert one(field, "采购五台电脑") == (None, "too_long")  # characters, not bytes
    assert one(field, "a\nb\x00c") == ("a bc", None)  # no NUL reaches PostgreSQL
    assert one(field, 12) == ("12", None)
    assert one(field, {"a": 1}) == (None, "invalid")
    assert one(field, "\x00\x01") == (None, "required")
    assert one(fdef("notes", "textarea"), " line 1\r\nline 2 ") == ("line 1\nline 2", None)
    assert one(fdef("notes", "textarea"), "   ") == (None, None)


def test_default_text_limits():
    assert one(fdef("item", "text"), "x" * 200)[1] is None and one(fdef("item", "text"), "x" * 201)[1] == "too_long"
    assert one(fdef("notes", "textarea"), "x" * 2000)[1] is None
    assert one(fdef("notes", "textarea"), "x" * 2001)[1] == "too_long"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("y", (True, None)),
        (True, (True, None)),
        ("on", (True, None)),
        (1, (True, None)),
        ("n", (False, None)),
        (False, (False, None)),
        ("", (False, None)),
        (None, (False, None)),
        ("maybe", (None, "invalid")),
        (2, (None, "invalid")),
    ],
)
def test_boolean(raw, expected):
    assert one(fdef("urgent", "boolean"), raw) == expected


def test_a_required_box_must_be_ticked():
    confirm = fdef("confirm", "boolean", required=True)
    assert one(confirm, "y") == (True, None)
    assert one(confirm, None) == (None, "required") and one(confirm, "n") == (None, "required")


# --- cleaning: whole templates -----------------------------------------------------------------


def test_required_and_optional_fields_of_a_procurement():
    values, errors = clean(PROCUREMENT, {"unknown": "ignored"})
    assert errors == {"item": "required", "category": "required", "budget_code": "required", "amount": "required"}
    assert values == {"supplier": None, "target_department": None, "expected_date": None, "notes": None}


def test_a_cross_department_procurement_of_1_2_million():
    raw = {
        "item": "服务器 4 台",
        "category": "it_equipment",
        "budget_code": "6601-02",
        "amount": "1,200,000",
        "target_department": "7",
        "expected_date": "2025-06-30",
        "notes": "机房扩容",
        "csrf_token": "x",
    }
    values, errors = clean(PROCUREMENT, raw, departments={3, 7})
    assert errors == {}
    assert amount(PROCUREMENT, values) == Decimal("1200000.00") and target_department(PROCUREMENT, values) == 7
    assert set(values) == {f.name for f in PROCUREMENT.fields}


def test_amount_and_department_when_the_template_has_none_or_they_are_empty():
    values, errors = clean(
        LEAVE, {"leave_type": "annual", "period": "2025-05-06/2025-05-08", "days": "2.5", "reason": "探亲"}
    )
    assert errors == {} and amount(LEAVE, values) == Decimal("0") and target_department(LEAVE, values) is None
    values, errors = clean(GENERIC, {"subject": "借用会议室", "details": "周五下午"})
    assert errors == {} and amount(GENERIC, values) == Decimal("0") and target_department(GENERIC, values) is None
    assert amount(GENERIC, {"amount": "12.50"}) == Decimal("12.50")  # a stored JSON value


def test_expense_reports_every_bad_field_at_once():
    values, errors = clean(
        EXPENSE,
        {
            "category": "travel",
            "amount": "-5",
            "occurred_on": "2025-02-29",
            "invoice_count": "2.5",
            "project": "x" * 101,
        },
    )
    assert errors == {
        "amount": "too_small",
        "occurred_on": "bad_date",
        "invoice_count": "not_an_integer",
        "project": "too_long",
    }
    assert values == {"category": "travel", "notes": None}


def test_clean_values_survive_json_and_read_back_the_same():
    raw = {
        "leave_type": "sick",
        "period": {"start": "2025-05-06", "end": "2025-05-08"},
        "days": "3",
        "reason": "发烧",
        "handover_to": "李雷",
    }
    values, errors = clean(LEAVE, raw)
    stored = json.loads(json.dumps(to_json(LEAVE, values)))
    assert errors == {} and stored["period"] == {"start": "2025-05-06", "end": "2025-05-08"}
    assert clean(LEAVE, stored) == (values, {})
    values, _ = clean(
        PROCUREMENT,
        {"item": "纸", "category": "office_supplies", "budget_code": "1", "amount": "0.01", "target_department": 3},
        departments={3},
    )
    assert clean(PROCUREMENT, json.loads(json.dumps(to_json(PROCUREMENT, values))), departments={3}) == (values, {})


def test_every_error_key_has_a_message():
    seen = {
        "required",
        "too_long",
        "not_a_number",
        "not_an_integer",
        "too_many_decimals",
        "bad_step",
        "too_small",
        "too_large",
        "bad_date",
        "range_order",
        "unknown_option",
        "unknown_department",
        "invalid",
    }
    assert seen == set(T.MESSAGES)


# Anything a form or a business system may send: cleaning never raises, and each field ends up
# either with a value or with an error key that has a message.
raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.decimals(allow_nan=True),
    st.dates(),
    st.lists(st.text(max_size=12), max_size=3),
    st.dictionaries(st.sampled_from(["start", "end", "x"]), st.text(max_size=12)),
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(BUILTIN)), data=st.data())
def test_clean_never_raises_on_user_input(key, data):
    template = BUILTIN[key]
    raw = {f.name: data.draw(raw_values) for f in template.fields if data.draw(st.booleans())}
    values, errors = clean(template, copy.deepcopy(raw), departments={1, 2, 3})
    assert set(values) | set(errors) == {f.name for f in template.fields}
    assert not set(values) & set(errors) and set(errors.values()) <= set(T.MESSAGES)
    assert amount(template, values) >= 0
