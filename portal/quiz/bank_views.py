"""Trainer pages of the question bank: the list with filters, one form for a new question and
for changes, retiring and reactivating (a question is never deleted: papers keep pointing at it),
and the Excel export and import (portal/quiz/xlsx.py)."""

from __future__ import annotations

import io
import json

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import String, cast, func, or_, select
from werkzeug.datastructures import MultiDict

from portal.audit import services as audit
from portal.core.clock import utcnow
from portal.core.errors import Conflict, DomainError
from portal.extensions import db
from portal.kb.models import Article, Manual
from portal.quiz import bank, xlsx
from portal.quiz import questions as question_store
from portal.quiz.labels import kind_label, level_label
from portal.quiz.models import Question
from portal.quiz.views import bp
from portal.web.access import roles_required
from portal.web.htmx import render
from portal.web.request import parse_page

PAGE_SIZE = 30


LABELS = {"kind_label": kind_label, "level_label": level_label}


def _filters() -> dict[str, str]:
    args = request.args
    return {
        "level": args.get("level") if args.get("level") in bank.LEVELS else "",
        "kind": args.get("kind") if args.get("kind") in bank.KINDS else "",
        "tag": (args.get("tag") or "").strip()[: bank.TAG_MAX],
        "q": (args.get("q") or "").strip()[:200],
        "active": args.get("active") if args.get("active") in ("1", "0") else "",
    }


def _where(filters: dict[str, str], *, with_level: bool = True) -> list:
    conditions = []
    if with_level and filters["level"]:
        conditions.append(Question.level == filters["level"])
    if filters["kind"]:
        conditions.append(Question.kind == filters["kind"])
    if filters["tag"]:  # tags are a JSON list: look for the JSON string "tag" in its text (either escaping)
        text = cast(Question.tags, String)
        conditions.append(
            or_(
                *(
                    text.contains(json.dumps(filters["tag"], ensure_ascii=ascii_), autoescape=True)
                    for ascii_ in (True, False)
                )
            )
        )
    if filters["q"]:
        conditions.append(
            or_(
                Question.stem.icontains(filters["q"], autoescape=True),
                Question.external_id.icontains(filters["q"], autoescape=True),
            )
        )
    if filters["active"]:
        conditions.append(Question.active.is_(filters["active"] == "1"))
    return conditions


@bp.get("/questions")
@roles_required("trainer")
def questions():
    filters = _filters()
    page = db.paginate(
        select(Question).where(*_where(filters)).order_by(Question.level, Question.id.desc()),
        page=parse_page(request.args.get("page")),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    counts = dict(
        db.session.execute(
            select(Question.level, func.count(Question.id))
            .where(*_where(filters, with_level=False))
            .group_by(Question.level)
        ).all()
    )
    args = {k: v for k, v in filters.items() if v}
    return render(
        "quiz/bank_list.html",
        "quiz/_bank_rows.html",
        rows=page,
        filters=filters,
        level_counts=counts,
        total=sum(counts.values()),
        pager_args=args,
        level_args={k: v for k, v in args.items() if k != "level"},
        levels=bank.LEVELS,
        kinds=bank.KINDS,
        **LABELS,
    )


# --- the form ----------------------------------------------------------------------------------


def _raw(form: MultiDict) -> dict:
    """The posted form as clean_question reads it: ticked options or the true/false radio as the
    answer, rubric rows as pairs."""
    raw = {
        name: form.get(name, "")
        for name in ("external_id", "kind", "level", "tags", "stem", "points", "explanation", "articles", "edition")
    }
    raw.update({f"option_{k}": form.get(f"option_{k}", "") for k in bank.OPTION_KEYS})
    kind = bank.normal_kind(raw["kind"])
    raw["answer"] = form.get("tf_answer", "") if kind == "true_false" else form.getlist("correct")
    raw["rubric"] = list(zip(form.getlist("criterion"), form.getlist("criterion_points")))
    raw["allow_upload"] = "on" if form.get("allow_upload") else ""
    raw["active"] = "on" if form.get("active") else "off"
    return raw


def _form_of(q: Question) -> MultiDict:
    """A stored question as the form shows it."""
    refs = dict(
        db.session.execute(select(Article.id, Article.external_id).where(Article.id.in_(q.article_ids or []))).all()
    )
    form = MultiDict(
        {
            "external_id": q.external_id or "",
            "kind": q.kind,
            "level": q.level,
            "tags": ", ".join(q.tags or []),
            "stem": q.stem,
            "points": str(q.points),
            "explanation": q.explanation or "",
            "edition": q.edition or "",
            "articles": ", ".join(refs.get(a) or str(a) for a in q.article_ids or []),
            "tf_answer": (q.answer or [""])[0] if q.kind == "true_false" else "",
            "allow_upload": "on" if q.allow_upload else "",
            "active": "on" if q.active else "",
            "stamp": q.updated_at.isoformat() if q.updated_at else "",
        }
    )
    for option in q.options or []:
        form[f"option_{option['key']}"] = option["text"]
    if q.kind in ("single", "multiple"):
        form.setlist("correct", list(q.answer or []))
    form.setlist("criterion", [c["criterion"] for c in q.rubric or []])
    form.setlist("criterion_points", [str(c["points"]) for c in q.rubric or []])
    return form


def _form_page(
    form: MultiDict,
    question: Question | None,
    errors: dict | None = None,
    status: int = 200,
    message: str | None = None,
):
    criteria = list(zip(form.getlist("criterion"), form.getlist("criterion_points")))
    criteria += [("", "")] * (bank.CRITERIA_MAX - len(criteria))
    editions = db.session.scalars(
        select(Manual.edition).where(Manual.edition != "").distinct().order_by(Manual.edition.desc())
    ).all()
    return render_template(
        "quiz/bank_form.html",
        form=form,
        question=question,
        errors=errors or {},
        criteria=criteria[: bank.CRITERIA_MAX],
        option_keys=bank.OPTION_KEYS,
        levels=bank.LEVELS,
        kinds=bank.KINDS,
        editions=editions,
        message=message,
        **LABELS,
    ), status


def _save(question: Question | None):
    form = request.form
    try:
        saved = question_store.save_question(_raw(form), current_user, question, stamp=form.get("stamp", ""))
    except Conflict as err:
        return _form_page(form, question, status=err.status, message=err.message)
    except DomainError as err:
        return _form_page(form, question, getattr(err, "errors", None) or {"stem": err.message}, err.status)
    flash(_("Question %(number)s is saved.", number=saved.external_id), "success")
    return redirect(url_for("quiz.questions", q=saved.external_id), 303)


@bp.route("/questions/new", methods=["GET", "POST"])
@roles_required("trainer")
def question_new():
    if request.method == "POST":
        return _save(None)
    form = MultiDict(
        {
            "kind": request.args.get("kind", "single"),
            "level": request.args.get("level", "beginner"),
            "points": "1",
            "active": "on",
        }
    )
    return _form_page(form, None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def question_edit(question_id: int):
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    if request.method == "POST":
        return _save(question)
    return _form_page(_form_of(question), question)


@bp.post("/questions/<int:question_id>/toggle")
@roles_required("trainer")
def question_toggle(question_id: int):
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    question_store.toggle_question(question)
    flash(
        _("Question %(number)s is active again.", number=question.external_id)
        if question.active
        else _("Question %(number)s is retired: new papers no longer draw it.", number=question.external_id),
        "success",
    )
    back = request.form.get("next", "")
    if not back.startswith("/quiz/questions") or back.startswith("//"):
        back = url_for("quiz.questions")
    return redirect(back, 303)


# --- Excel -------------------------------------------------------------------------------------


@bp.get("/questions/export.xlsx")
@roles_required("trainer")
def questions_export():
    filters = _filters()
    data = xlsx.export_questions(select(Question).where(*_where(filters)))
    audit.record_now("export", actor=current_user, target="quiz:questions", detail={"what": "question bank"})
    name = f"question-bank-{utcnow():%Y%m%d}.xlsx"
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/questions/import", methods=["GET", "POST"])
@roles_required("trainer")
def questions_import():
    if request.method == "GET":
        return render_template("quiz/bank_import.html", result=None, problem=None)
    upload = request.files.get("file")
    skip_bad = bool(request.form.get("skip_bad"))
    problem = None
    if upload is None or not upload.filename:
        problem = _("Choose an Excel file (.xlsx) to import.")
    elif not upload.filename.lower().endswith(".xlsx"):
        problem = _("Only Excel workbooks (.xlsx) can be imported; save the file as .xlsx first.")
    if problem:
        return render_template("quiz/bank_import.html", result=None, problem=problem, skip_bad=skip_bad), 422
    try:
        result = xlsx.import_questions(upload.read(), current_user, skip_bad=skip_bad)
    except DomainError as err:
        return render_template("quiz/bank_import.html", result=None, problem=err.message, skip_bad=skip_bad), 422
    status = 200 if result.written else 422
    return render_template("quiz/bank_import.html", result=result, problem=None, skip_bad=skip_bad), status
