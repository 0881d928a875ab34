"""One bank question from raw values (pure): what a trainer typed in the form or in an Excel row,
checked and normalised into the Question columns. No Flask request, no database.

``clean_question(raw)`` returns ``(values, errors)``; ``errors`` maps a field name to a message and
is empty when the question can be stored. The raw keys (the form's field names; the Excel columns
are mapped onto them): external_id, kind, level, tags, stem, option_A … option_H (or ``options``:
a list of texts or of {"key", "text"}), answer, points, explanation, rubric, allow_upload,
articles, edition, active.

Rules:
- kind and level come from fixed lists; the Chinese labels (单选/多选/判断/实操, 初级/中级/高级,
  with or without 题/认证) and a few English spellings are accepted.
- single: 2–8 options, exactly one correct; multiple: 2–8 options, at least TWO correct (the usual
  rule of Chinese exams: a question with one correct answer is a single-choice question). Options
  are keyed A–H in order and may not leave a gap. The answer is typed "A,C", "AC", "A、C" or ticked.
- true_false: no options; the answer 对/错, true/false, T/F, 是/否, 正确/错误, √/×, Y/N, 1/0.
- practical: no options and no answer; a rubric of 1–10 criteria, each "text:points" on its own line
  (or rows), 1–100 whole points each; the question's points are the rubric's total.
- points of an objective question: a whole number 1–100, 1 when left empty.
- tags are split on , ， ; ； 、 and whitespace; articles are ids (12) or external ids
  (demo-faq-001): they are returned as ``article_refs`` and resolved to ids by the caller.

Messages are English gettext strings (translated when a request is active, English otherwise).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _

KINDS = ("single", "multiple", "true_false", "practical")
LEVELS = ("beginner", "intermediate", "advanced")
OBJECTIVE = ("single", "multiple", "true_false")
OPTION_KEYS = tuple("ABCDEFGH")

EXTERNAL_ID_MAX = 60
STEM_MAX = 2000
OPTION_MAX = 500
EXPLANATION_MAX = 5000
EDITION_MAX = 60
TAG_MAX = 30
TAGS_MAX = 20
ARTICLE_REF_MAX = 100
ARTICLES_MAX = 20
CRITERION_MAX = 200
CRITERIA_MAX = 10
POINTS_MAX = 100

KIND_WORDS = {
    "single": "single",
    "单选": "single",
    "单选题": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "single choice": "single",
    "single_choice": "single",
    "multiple": "multiple",
    "多选": "multiple",
    "多选题": "multiple",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    "multiple choice": "multiple",
    "multiple_choice": "multiple",
    "multi": "multiple",
    "true_false": "true_false",
    "判断": "true_false",
    "判断题": "true_false",
    "是非题": "true_false",
    "true/false": "true_false",
    "true false": "true_false",
    "truefalse": "true_false",
    "tf": "true_false",
    "practical": "practical",
    "实操": "practical",
    "实操题": "practical",
    "操作题": "practical",
    "practice": "practical",
}
LEVEL_WORDS = {
    "beginner": "beginner",
    "初级": "beginner",
    "初级认证": "beginner",
    "intermediate": "intermediate",
    "中级": "intermediate",
    "中级认证": "intermediate",
    "advanced": "advanced",
    "高级": "advanced",
    "高级认证": "advanced",
}
# The labels written into Excel (the trainers' file is in Chinese whatever the UI language).
KIND_LABELS = {"single": "单选", "multiple": "多选", "true_false": "判断", "practical": "实操"}
LEVEL_LABELS = {"beginner": "初级", "intermediate": "中级", "advanced": "高级"}

TRUE_WORDS = frozenset({"对", "正确", "是", "true", "t", "yes", "y", "1", "√", "✓", "✔", "on", "启用", "允许"})
FALSE_WORDS = frozenset({"错", "错误", "否", "false", "f", "no", "n", "0", "×", "✗", "✘", "x", "off", "停用", "不允许"})
TF_LABELS = {"true": "对", "false": "错"}

SEPARATORS = re.compile(r"[,，;；、\s]+")
RUBRIC_LINE = re.compile(r"^(?P<text>.*?)\s*[:：]\s*(?P<points>[^:：]*?)\s*分?\s*$")


def _text(value) -> str:
    """A cell or form value as stripped text; Excel numbers 3.0 read as "3"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _fold(value) -> str:
    """For matching words: full-width folded to ASCII (ＡＢ → AB, ２ → 2), lower case."""
    return unicodedata.normalize("NFKC", _text(value)).lower()


def normal_kind(value) -> str | None:
    return KIND_WORDS.get(_fold(value))


def normal_level(value) -> str | None:
    return LEVEL_WORDS.get(_fold(value))


def split_words(value) -> list[str]:
    """Tags or references: a list, or text split on Chinese and ASCII separators; deduplicated."""
    items = value if isinstance(value, (list, tuple)) else SEPARATORS.split(_text(value))
    return list(dict.fromkeys(t for t in (_text(i) for i in items) if t))


def parse_bool(value, default: bool) -> bool | None:
    """是/否, yes/no, √/×, a ticked checkbox ("on"); None when the value is not a yes or no."""
    if value is None or _text(value) == "":
        return default
    word = _fold(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _whole(value) -> int | None:
    word = _fold(value).removesuffix("分").strip()
    if re.fullmatch(r"\d{1,4}(\.0+)?", word):
        return int(float(word))
    return None


def _keys(value) -> list[str] | None:
    """Option keys from "A,C", "AC", "a c", "Ａ、Ｃ" or a list; None when something is not a key."""
    out: list[str] = []
    for token in split_words(value if isinstance(value, (list, tuple)) else _fold(value)):
        token = _fold(token).upper()
        if not re.fullmatch(r"[A-Z]+", token):
            return None
        out.extend(token)
    return list(dict.fromkeys(out))


def _options(raw: Mapping) -> list[str]:
    given = raw.get("options")
    if isinstance(given, (list, tuple)):
        texts = [_text(o.get("text")) if isinstance(o, Mapping) else _text(o) for o in given]
    else:
        texts = [_text(raw.get(f"option_{key}")) for key in OPTION_KEYS]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def _rubric_rows(value) -> list[tuple[str, str]]:
    """(criterion, points) pairs from lines "text:points" or from rows; empty rows dropped."""
    if isinstance(value, (list, tuple)):
        rows = []
        for row in value:
            if isinstance(row, Mapping):
                rows.append((_text(row.get("criterion")), _text(row.get("points"))))
            elif isinstance(row, (list, tuple)) and len(row) == 2:
                rows.append((_text(row[0]), _text(row[1])))
            else:
                rows.append((_text(row), ""))
    else:
        rows = []
        for line in _text(value).splitlines():
            line = line.strip()
            match = RUBRIC_LINE.match(line)
            rows.append((match["text"].strip(), match["points"].strip()) if match else (line, ""))
    return [(text, points) for text, points in rows if text or points]


def clean_question(raw: Mapping) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    values: dict = {}

    external_id = _text(raw.get("external_id"))
    if len(external_id) > EXTERNAL_ID_MAX:
        errors["external_id"] = _("The number may have at most %(n)d characters.", n=EXTERNAL_ID_MAX)
    elif re.search(r"\s", external_id):
        errors["external_id"] = _("The number may not contain spaces.")
    values["external_id"] = external_id or None

    kind = normal_kind(raw.get("kind"))
    if kind is None:
        errors["kind"] = (
            _("Choose the question type.")
            if not _text(raw.get("kind"))
            else _(
                "Unknown question type %(value)s: use single, multiple, true/false or practical "
                "(单选, 多选, 判断, 实操).",
                value=_text(raw.get("kind")),
            )
        )
    values["kind"] = kind

    level = normal_level(raw.get("level"))
    if level is None:
        errors["level"] = (
            _("Choose the level.")
            if not _text(raw.get("level"))
            else _(
                "Unknown level %(value)s: use beginner, intermediate or advanced (初级, 中级, 高级).",
                value=_text(raw.get("level")),
            )
        )
    values["level"] = level

    tags = split_words(raw.get("tags"))
    if len(tags) > TAGS_MAX:
        errors["tags"] = _("At most %(n)d tags.", n=TAGS_MAX)
    elif any(len(t) > TAG_MAX for t in tags):
        errors["tags"] = _("A tag may have at most %(n)d characters.", n=TAG_MAX)
    values["tags"] = tags

    stem = _text(raw.get("stem"))
    if not stem:
        errors["stem"] = _("Write the question.")
    elif len(stem) > STEM_MAX:
        errors["stem"] = _("The question may have at most %(n)d characters.", n=STEM_MAX)
    values["stem"] = stem

    explanation = _text(raw.get("explanation"))
    if len(explanation) > EXPLANATION_MAX:
        errors["explanation"] = _("The explanation may have at most %(n)d characters.", n=EXPLANATION_MAX)
    values["explanation"] = explanation

    edition = _text(raw.get("edition"))
    if len(edition) > EDITION_MAX:
        errors["edition"] = _("The edition may have at most %(n)d characters.", n=EDITION_MAX)
    values["edition"] = edition

    refs = split_words(raw.get("articles"))
    if len(refs) > ARTICLES_MAX:
        errors["articles"] = _("Link at most %(n)d articles.", n=ARTICLES_MAX)
    elif any(len(r) > ARTICLE_REF_MAX for r in refs):
        errors["articles"] = _("An article reference may have at most %(n)d characters.", n=ARTICLE_REF_MAX)
    values["article_refs"] = [int(r) if r.isascii() and r.isdigit() else r for r in refs]

    active = parse_bool(raw.get("active"), True)
    if active is None:
        errors["active"] = _("Active is yes or no (是/否).")
    values["active"] = bool(active)

    values.update(options=[], answer=[], rubric=[], allow_upload=False, points=1)
    if kind in ("single", "multiple"):
        _clean_choice(kind, raw, values, errors)
    elif kind == "true_false":
        _clean_true_false(raw, values, errors)
    elif kind == "practical":
        _clean_practical(raw, values, errors)
    if kind in OBJECTIVE:
        _clean_points(raw, values, errors)
        if _rubric_rows(raw.get("rubric")):
            errors["rubric"] = _("Only practical tasks have a rubric.")
    return values, errors


def _clean_choice(kind: str, raw: Mapping, values: dict, errors: dict) -> None:
    texts = _options(raw)
    if len(texts) > len(OPTION_KEYS):
        errors["options"] = _("At most %(n)d options (A–H).", n=len(OPTION_KEYS))
        return
    gaps = [OPTION_KEYS[i] for i, text in enumerate(texts) if not text]
    if gaps:
        errors["options"] = _("Option %(key)s is empty: fill the options in order, without gaps.", key=gaps[0])
        return
    if len(texts) < 2:
        errors["options"] = _("Give at least two options.")
        return
    if any(len(t) > OPTION_MAX for t in texts):
        errors["options"] = _("An option may have at most %(n)d characters.", n=OPTION_MAX)
        return
    keys = OPTION_KEYS[: len(texts)]
    values["options"] = [{"key": k, "text": t} for k, t in zip(keys, texts)]
    answer = _keys(raw.get("answer"))
    if answer is None or any(k not in keys for k in answer):
        errors["answer"] = _(
            "The answer names options that do not exist; use %(first)s to %(last)s.", first=keys[0], last=keys[-1]
        )
    elif not answer:
        errors["answer"] = _("Mark the correct option.") if kind == "single" else _("Mark the correct options.")
    elif kind == "single" and len(answer) != 1:
        errors["answer"] = _("A single-choice question has exactly one correct option.")
    elif kind == "multiple" and len(answer) < 2:
        errors["answer"] = _(
            "A multiple-choice question has at least two correct options; with one, make it a single-choice question."
        )
    else:
        values["answer"] = sorted(answer)


def _clean_true_false(raw: Mapping, values: dict, errors: dict) -> None:
    if _options(raw):
        errors["options"] = _("A true/false question has no options.")
    value = raw.get("answer")
    if isinstance(value, (list, tuple)):
        value = value[0] if len(value) == 1 else ""
    word = _fold(value)
    if word in TRUE_WORDS:
        values["answer"] = ["true"]
    elif word in FALSE_WORDS:
        values["answer"] = ["false"]
    elif not word:
        errors["answer"] = _("Say whether the statement is true or false.")
    else:
        errors["answer"] = _("The answer of a true/false question is true or false (对/错).")


def _clean_practical(raw: Mapping, values: dict, errors: dict) -> None:
    if _options(raw):
        errors["options"] = _("A practical task has no options.")
    if _text(raw.get("answer")) and not isinstance(raw.get("answer"), (list, tuple)):
        errors["answer"] = _("A practical task has no answer key; it is reviewed against the rubric.")
    rows = _rubric_rows(raw.get("rubric"))
    if not rows:
        errors["rubric"] = _("A practical task needs a rubric: at least one criterion with its points.")
    elif len(rows) > CRITERIA_MAX:
        errors["rubric"] = _("At most %(n)d criteria.", n=CRITERIA_MAX)
    else:
        rubric = []
        for number, (text, points) in enumerate(rows, start=1):
            whole = _whole(points)
            if not text:
                errors["rubric"] = _("Criterion %(n)d has no text.", n=number)
            elif len(text) > CRITERION_MAX:
                errors["rubric"] = _(
                    "Criterion %(n)d may have at most %(max)d characters.", n=number, max=CRITERION_MAX
                )
            elif whole is None or not 1 <= whole <= POINTS_MAX:
                errors["rubric"] = _(
                    "Criterion %(n)d needs whole points from 1 to %(max)d (text:points).", n=number, max=POINTS_MAX
                )
            if "rubric" in errors:
                break
            rubric.append({"criterion": text, "points": whole})
        else:
            values["rubric"] = rubric
            values["points"] = sum(c["points"] for c in rubric)
            given = _text(raw.get("points"))
            if given and _whole(given) != values["points"]:
                errors["points"] = _(
                    "A practical task is worth its rubric's total (%(n)d); leave the points empty or write %(n)d.",
                    n=values["points"],
                )
    allow = parse_bool(raw.get("allow_upload"), False)
    if allow is None:
        errors["allow_upload"] = _("Allow upload is yes or no (是/否).")
    values["allow_upload"] = bool(allow)


def _clean_points(raw: Mapping, values: dict, errors: dict) -> None:
    given = _text(raw.get("points"))
    if not given:
        values["points"] = 1
        return
    whole = _whole(given)
    if whole is None or not 1 <= whole <= POINTS_MAX:
        errors["points"] = _("Points are a whole number from 1 to %(n)d.", n=POINTS_MAX)
    else:
        values["points"] = whole


# --- the other way: stored values as trainers type them (the form, the Excel export) ---------


def answer_text(kind: str, answer: Iterable[str]) -> str:
    answer = list(answer or [])
    if kind == "true_false":
        return TF_LABELS.get(answer[0], "") if answer else ""
    return ",".join(answer)


def rubric_text(rubric: Iterable[Mapping]) -> str:
    return "\n".join(f"{c['criterion']}:{c['points']}" for c in rubric or [])


def resolve_refs(
    refs: Iterable[int | str], by_external_id: Mapping[str, int], ids: Iterable[int]
) -> tuple[list[int], list[str]]:
    """Article references to ids, given the articles found: (ids in order, references not found)."""
    known, out, missing = set(ids), [], []
    for ref in refs:
        article_id = ref if isinstance(ref, int) and ref in known else by_external_id.get(str(ref))
        if article_id is None:
            missing.append(str(ref))
        elif article_id not in out:
            out.append(article_id)
    return out, missing


STORED = (
    "external_id",
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
    "edition",
    "active",
)


def apply(question, values: Mapping, article_ids: list[int]) -> None:
    """Cleaned values onto a Question (new or existing); article references already resolved."""
    for name in STORED:
        setattr(question, name, values[name])
    question.article_ids = list(article_ids)
