"""Approval templates as data: a JSON file per template, strictly validated, and the cleaning of
what a requester (a form or a business system over the API) typed into one.

Pure: no Flask, no database. A definition file looks like::

    {"key": "procurement", "version": 1,
     "name": {"zh_CN": "采购申请", "en": "Procurement", "ja": "購買申請"},
     "description": {...},                   # optional
     "amount_field": "amount" | null,        # a money field: the amount the routing rules read
     "department_field": "target_department" | null,   # a department field: cross-department
     "fields": [{"name": "item", "label": {...}, "type": "text", "required": true,
                 "max_length": 200, "help": {...}}, ...]}

Field types: text, textarea, integer, money, number (a decimal with an optional ``step``, e.g. 0.5
days of leave), date, date_range, select (with ``options``), department, boolean. Texts are maps
of locale (zh_CN, en, ja) to string; zh_CN is required, the others fall back to it.

``clean`` never raises on user input. Chinese users type full-width digits (１２３), full-width
or ASCII thousands separators (1,000 / 1，000) and currency marks (¥ / ￥ / 元); all are accepted,
but a separator must group by three so "1,5" is refused rather than read as 15. Money has at most
two decimals, is >= 0 and fits the NUMERIC(14, 2) column (<= 999,999,999,999.99). Errors are
short keys (see MESSAGES for their English text, marked for gettext extraction with N_).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

LANGUAGES = ("zh_CN", "en", "ja")
DEFAULT_LANGUAGE = "zh_CN"
TYPES = frozenset(
    {"text", "textarea", "integer", "money", "number", "date", "date_range", "select", "department", "boolean"}
)
NUMERIC = frozenset({"integer", "money", "number"})
MONEY_MAX = Decimal("999999999999.99")  # NUMERIC(14, 2) of approval_requests.amount
INTEGER_MAX = 10**12 - 1
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
MAX_LENGTH_LIMIT = 20000
BUILTIN_DIR = Path(__file__).parent / "data" / "templates"

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TEMPLATE_KEYS = {"key", "name", "description", "amount_field", "department_field", "fields", "version"}
_FIELD_KEYS = {"name", "label", "type", "required", "max_length", "min", "max", "step", "options", "help"}
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RANGE_SPLIT = re.compile(r"\s*(?:/|~|至|到)\s*")
_TRUE = {"y", "yes", "on", "true", "1", "是"}
_FALSE = {"", "n", "no", "off", "false", "0", "否"}


def N_(text: str) -> str:
    """Mark a string for extraction (babel's default keywords include N_); translate when shown."""
    return text


MESSAGES: dict[str, str] = {
    "required": N_("This field is required."),
    "too_long": N_("This text is too long."),
    "not_a_number": N_("Enter a number."),
    "not_an_integer": N_("Enter a whole number."),
    "too_many_decimals": N_("Use at most two decimal places."),
    "bad_step": N_("This value is not allowed in these steps."),
    "too_small": N_("This value is too small."),
    "too_large": N_("This value is too large."),
    "bad_date": N_("Enter a date as YYYY-MM-DD."),
    "range_order": N_("The end date is before the start date."),
    "unknown_option": N_("Choose one of the options."),
    "unknown_department": N_("Choose a department from the list."),
    "invalid": N_("This value is not valid."),
}


class TemplateError(ValueError):
    """A definition is wrong; the message names the file, the field and the problem."""


@dataclass(frozen=True)
class Option:
    value: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Field:
    name: str
    labels: Mapping[str, str]
    type: str
    required: bool = False
    max_length: int | None = None  # text, textarea
    min: int | Decimal | None = None  # integer (int), money and number (Decimal)
    max: int | Decimal | None = None
    step: Decimal | None = None  # number
    options: tuple[Option, ...] = ()  # select
    helps: Mapping[str, str] = dc_field(default_factory=lambda: MappingProxyType({}))

    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Template:
    key: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    amount_field: str | None
    department_field: str | None
    fields: tuple[Field, ...]
    version: int

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


# --- definitions -------------------------------------------------------------------------------


class _Where:
    def __init__(self, source: str) -> None:
        self.source = source or "<template>"

    def fail(self, where: str, problem: str) -> TemplateError:
        return TemplateError(f"{self.source}: {where}: {problem}")


def _texts(value: object, w: _Where, where: str, what: str, *, optional: bool = False) -> Mapping[str, str]:
    if value is None and optional:
        return MappingProxyType({})
    if not isinstance(value, dict) or not value:
        raise w.fail(where, f"{what} must be an object of texts by language ({', '.join(LANGUAGES)})")
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise w.fail(where, f"{what} has unknown languages {unknown}; allowed: {', '.join(LANGUAGES)}")
    if DEFAULT_LANGUAGE not in value:
        raise w.fail(where, f"{what} lacks the {DEFAULT_LANGUAGE} text")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise w.fail(where, f"{what} in {lang} must be a non-empty string")
    return MappingProxyType({lang: value[lang].strip() for lang in LANGUAGES if lang in value})


def _bound(value: object, ftype: str, w: _Where, where: str, what: str) -> int | Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise w.fail(where, f"{what} must be a number")
    if ftype == "integer":
        if not isinstance(value, int):
            raise w.fail(where, f"{what} must be a whole number for an integer field")
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise w.fail(where, f"{what} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise w.fail(where, f"{what} must be a finite number")
    return number


def _field(data: object, index: int, w: _Where) -> Field:
    if not isinstance(data, dict):
        raise w.fail(f"field #{index + 1}", "must be an object")
    name = data.get("name")
    if not isinstance(name, str) or not _KEY.match(name):
        raise w.fail(f"field #{index + 1}", f"name {name!r} must match {_KEY.pattern}")
    where = f"field '{name}'"
    unknown = sorted(set(data) - _FIELD_KEYS)
    if unknown:
        raise w.fail(where, f"unknown keys {unknown}")
    ftype = data.get("type")
    if ftype not in TYPES:
        raise w.fail(where, f"unknown type {ftype!r}; allowed: {', '.join(sorted(TYPES))}")
    labels = _texts(data.get("label"), w, where, "label")
    helps = _texts(data.get("help"), w, where, "help", optional=True)
    required = data.get("required", False)
    if not isinstance(required, bool):
        raise w.fail(where, "required must be true or false")

    def only_for(key: str, types: Collection[str]) -> None:
        if key in data and ftype not in types:
            raise w.fail(where, f"{key} is not allowed for a {ftype} field")

    only_for("max_length", DEFAULT_MAX_LENGTH)
    only_for("min", NUMERIC)
    only_for("max", NUMERIC)
    only_for("step", {"number"})
    only_for("options", {"select"})

    max_length = None
    if ftype in DEFAULT_MAX_LENGTH:
        max_length = data.get("max_length", DEFAULT_MAX_LENGTH[ftype])
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= MAX_LENGTH_LIMIT:
            raise w.fail(where, f"max_length must be a whole number from 1 to {MAX_LENGTH_LIMIT}")

    low = high = step = None
    if ftype in NUMERIC:
        low = (
            _bound(data["min"], ftype, w, where, "min") if "min" in data else (0 if ftype == "integer" else Decimal(0))
        )
        cap: int | Decimal = INTEGER_MAX if ftype == "integer" else MONEY_MAX
        high = _bound(data["max"], ftype, w, where, "max") if "max" in data else cap
        if ftype == "money" and low < 0:
            raise w.fail(where, "min of a money field cannot be negative")
        if high > cap or low < -cap:
            raise w.fail(where, f"bounds must lie within ±{cap}")
        if low > high:
            raise w.fail(where, f"min {low} is greater than max {high}")
        if ftype == "number" and "step" in data:
            step = _bound(data["step"], ftype, w, where, "step")
            if step <= 0 or step != step.quantize(Decimal("0.01")):
                raise w.fail(where, "step must be positive with at most two decimals")

    options: tuple[Option, ...] = ()
    if ftype == "select":
        raw = data.get("options")
        if not isinstance(raw, list) or not raw:
            raise w.fail(where, "a select field needs a non-empty list of options")
        seen: set[str] = set()
        built = []
        for i, opt in enumerate(raw):
            if not isinstance(opt, dict) or set(opt) - {"value", "label"}:
                raise w.fail(where, f"option #{i + 1} must be an object with value and label only")
            value = opt.get("value")
            if not isinstance(value, str) or not _KEY.match(value):
                raise w.fail(where, f"option #{i + 1} value {value!r} must match {_KEY.pattern}")
            if value in seen:
                raise w.fail(where, f"duplicate option value {value!r}")
            seen.add(value)
            built.append(Option(value, _texts(opt.get("label"), w, where, f"label of option {value!r}")))
        options = tuple(built)

    return Field(
        name=name,
        labels=labels,
        type=ftype,
        required=required,
        max_length=max_length,
        min=low,
        max=high,
        step=step,
        options=options,
        helps=helps,
    )


def parse(data: dict, source: str = "") -> Template:
    """Validate one definition strictly and build its Template."""
    w = _Where(source)
    if not isinstance(data, dict):
        raise w.fail("template", "must be a JSON object")
    unknown = sorted(set(data) - _TEMPLATE_KEYS)
    if unknown:
        raise w.fail("template", f"unknown keys {unknown}")
    key = data.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise w.fail("template", f"key {key!r} must match {_KEY.pattern}")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise w.fail("template", "version must be a whole number >= 1")
    names = _texts(data.get("name"), w, "template", "name")
    descriptions = _texts(data.get("description"), w, "template", "description", optional=True)
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise w.fail("template", "fields must be a non-empty list")
    fields = tuple(_field(f, i, w) for i, f in enumerate(raw_fields))
    by_name: dict[str, Field] = {}
    for f in fields:
        if f.name in by_name:
            raise w.fail(f"field '{f.name}'", "duplicate field name")
        by_name[f.name] = f
    for f in fields:  # a date range may also arrive as <name>_start / <name>_end form inputs
        if f.type == "date_range":
            for clash in (f"{f.name}_start", f"{f.name}_end"):
                if clash in by_name:
                    raise w.fail(f"field '{clash}'", f"name clashes with the inputs of date range '{f.name}'")
    for attr, ftype in (("amount_field", "money"), ("department_field", "department")):
        ref = data.get(attr)
        if ref is None:
            continue
        if not isinstance(ref, str) or ref not in by_name:
            raise w.fail("template", f"{attr} {ref!r} names no field")
        if by_name[ref].type != ftype:
            raise w.fail("template", f"{attr} '{ref}' must be a {ftype} field, not {by_name[ref].type}")
    return Template(
        key=key,
        names=names,
        descriptions=descriptions,
        amount_field=data.get("amount_field"),
        department_field=data.get("department_field"),
        fields=fields,
        version=version,
    )


def load_dir(path: Path) -> dict[str, Template]:
    """Every *.json in a folder (the file is named after its key), sorted by key."""
    found: dict[str, Template] = {}
    for file in sorted(Path(path).glob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TemplateError(f"{file.name}: not valid UTF-8 JSON: {exc}") from None
        template = parse(data, file.name)
        if template.key != file.stem:
            raise TemplateError(f"{file.name}: template: key '{template.key}' differs from the file name")
        found[template.key] = template
    return dict(sorted(found.items()))


@lru_cache(maxsize=1)
def _builtin() -> dict[str, Template]:
    return load_dir(BUILTIN_DIR)


def builtin() -> dict[str, Template]:
    """The templates shipped in portal/approvals/data/templates (read once)."""
    return dict(_builtin())


def label(texts: Mapping[str, str], locale: str) -> str:
    """The text for a locale ("zh_CN", "en", "ja", also "en_US", "zh-Hans-CN"), else zh_CN, else any."""
    if not texts:
        return ""
    loc = str(locale or "").replace("-", "_")
    if loc in texts:
        return texts[loc]
    lang = loc.split("_")[0].lower()
    for key in texts:
        if key.split("_")[0].lower() == lang:
            return texts[key]
    return texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()))


# --- user input --------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return all(_is_empty(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


def _text(value: object, f: Field) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise _Invalid("invalid")
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if f.type == "text":
        text = text.replace("\n", " ").replace("\t", " ")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if f.max_length is not None and len(text) > f.max_length:
        raise _Invalid("too_long")
    return text


def _decimal(value: object, *, money: bool) -> Decimal:
    """A number as typed: full-width digits, thousands separators, ¥ / 元; at most 2 decimals."""
    if isinstance(value, bool):
        raise _Invalid("not_a_number")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Invalid("not_a_number")
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _Invalid("not_a_number")
        value = format(value, "f")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise _Invalid("not_a_number")
    text = unicodedata.normalize("NFKC", value).strip().replace("−", "-")
    if money:
        text = text.removesuffix("元").strip()
        sign = ""
        if text[:1] in "+-":
            sign, text = text[0], text[1:].strip()
        text = sign + text.removeprefix("¥").removeprefix("RMB").strip()
    match = _NUMBER.match(text)
    if not match:
        raise _Invalid("not_a_number")
    sign, whole, fraction = match.groups()
    if len((fraction or "").rstrip("0")) > 2:
        raise _Invalid("too_many_decimals")
    return Decimal(f"{sign}{whole.replace(',', '')}" + (f".{fraction}" if fraction else ""))


def _number(value: object, f: Field) -> int | Decimal:
    if f.type == "integer" and isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = _decimal(value, money=f.type == "money")
    except _Invalid as exc:
        if f.type == "integer" and exc.key == "too_many_decimals":
            raise _Invalid("not_an_integer") from None
        raise
    if f.type == "integer" and number != number.to_integral_value():
        raise _Invalid("not_an_integer")
    if f.min is not None and number < f.min:
        raise _Invalid("too_small")
    if f.max is not None and number > f.max:
        raise _Invalid("too_large")
    if f.step is not None and number % f.step != 0:
        raise _Invalid("bad_step")
    if f.type == "integer":
        return int(number)
    return number.quantize(Decimal("0.01")) if f.type == "money" else number


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _Invalid("bad_date")
    match = _DATE.match(unicodedata.normalize("NFKC", value).strip())
    if not match:
        raise _Invalid("bad_date")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise _Invalid("bad_date") from None


def _date_range(value: object) -> tuple[date, date]:
    if isinstance(value, Mapping):
        parts: list[object] = [value.get("start"), value.get("end")]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    elif isinstance(value, str):
        parts = list(_RANGE_SPLIT.split(unicodedata.normalize("NFKC", value).strip()))
    else:
        raise _Invalid("bad_date")
    if len(parts) != 2 or any(_is_empty(p) for p in parts):
        raise _Invalid("bad_date")
    start, end = _date(parts[0]), _date(parts[1])
    if end < start:
        raise _Invalid("range_order")
    return start, end


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _Invalid("invalid")


def _department(value: object, departments: Collection[int]) -> int:
    if isinstance(value, bool):
        raise _Invalid("unknown_department")
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            raise _Invalid("unknown_department")
        value = int(text)
    if not isinstance(value, int) or value not in departments:
        raise _Invalid("unknown_department")
    return value


def _raw_value(f: Field, raw: Mapping[str, object]) -> object:
    if f.type == "date_range" and f.name not in raw and (f"{f.name}_start" in raw or f"{f.name}_end" in raw):
        return {"start": raw.get(f"{f.name}_start"), "end": raw.get(f"{f.name}_end")}
    return raw.get(f.name)


def clean(
    template: Template, raw: Mapping[str, object], *, departments: Collection[int] = ()
) -> tuple[dict[str, object], dict[str, str]]:
    """Typed values of every field that is valid (None for an empty optional one, False for an
    unticked box) and {field name: error key} for the others. Unknown keys in raw are ignored."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for f in template.fields:
        value = _raw_value(f, raw)
        try:
            if f.type == "boolean":
                result: object = False if value is None else _boolean(value)
                if f.required and not result:
                    raise _Invalid("required")
            elif _is_empty(value):
                if f.required:
                    raise _Invalid("required")
                result = None
            elif f.type in ("text", "textarea"):
                result = _text(value, f)
                if not result:
                    if f.required:
                        raise _Invalid("required")
                    result = None
            elif f.type in NUMERIC:
                result = _number(value, f)
            elif f.type == "date":
                result = _date(value)
            elif f.type == "date_range":
                result = _date_range(value)
            elif f.type == "select":
                result = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
                if result not in f.option_values():
                    raise _Invalid("unknown_option")
            else:  # department
                result = _department(value, departments)
        except _Invalid as exc:
            errors[f.name] = exc.key
        else:
            values[f.name] = result
    return values, errors


def to_json(template: Template, values: Mapping[str, object]) -> dict[str, object]:
    """Clean values made JSON-safe (Decimal -> "12.50", date -> ISO, range -> {start, end});
    clean() reads this form back to the same values."""
    out: dict[str, object] = {}
    for f in template.fields:
        if f.name not in values:
            continue
        value = values[f.name]
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, tuple):
            value = {"start": value[0].isoformat(), "end": value[1].isoformat()}
        elif isinstance(value, date):
            value = value.isoformat()
        out[f.name] = value
    return out


def amount(template: Template, values: Mapping[str, object]) -> Decimal:
    """The amount the routing rules read: Decimal("0") without an amount field or value."""
    if template.amount_field is None:
        return Decimal("0")
    value = values.get(template.amount_field)
    if value is None or value == "":
        return Decimal("0")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def target_department(template: Template, values: Mapping[str, object]) -> int | None:
    """The department the request concerns, when the template has one and it is filled."""
    if template.department_field is None:
        return None
    value = values.get(template.department_field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
