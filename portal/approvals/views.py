"""Approval pages: the to-do / in-progress / done lists, starting a request from a template with
its route shown before confirming, a request's live route and history, deciding, resubmitting,
withdrawing, delegations. Statistics are in stats_views.py on the same blueprint."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.approvals import access, config, drafts, flow, queries, services
from portal.approvals import templates as tpl
from portal.approvals.drafts import ApprovalInputError, RouteChanged
from portal.approvals.flow import RequestState
from portal.approvals.models import ApprovalRequest
from portal.auth.roles import APPROVER_POSITIONS
from portal.core.clock import utcnow
from portal.core.errors import Conflict, DomainError
from portal.web.access import login_required
from portal.web.htmx import render, wants_fragment
from portal.web.request import parse_page

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
PAGE_SIZE = 20


def locale() -> str:
    return str(get_locale() or "zh_CN")


def load_or_404(request_id: int) -> ApprovalRequest:
    """The request if this user may see it; 404 otherwise, so a typed number reveals nothing."""
    req = queries.visible_request(request_id, current_user)
    if req is None:
        abort(404)
    return req


@bp.get("/")
@login_required
def lists():
    box = request.args.get("box", "todo")
    is_admin = access.is_admin(current_user.roles)
    if box not in queries.BOXES or (box == "all" and not is_admin):
        box = "todo"
    templates = config.templates()
    template_key = request.args.get("template") if request.args.get("template") in templates else None
    state = request.args.get("state") if request.args.get("state") in {s.value for s in RequestState} else None
    page = queries.listing(
        box,
        current_user,
        parse_page(request.args.get("page")),
        PAGE_SIZE,
        template=template_key,
        state=state if box == "all" else None,
    )
    return render(
        "approvals/lists.html",
        "approvals/_rows.html",
        rows=page,
        box=box,
        is_admin=is_admin,
        counts=queries.counts_for(current_user),
        templates=templates,
        template_key=template_key,
        state=state,
        now=utcnow(),
        pager_args={k: v for k, v in (("box", box), ("template", template_key), ("state", state)) if v},
    )


@bp.get("/new")
@login_required
def pick():
    return render_template("approvals/pick.html", templates=config.templates())


def _form_page(
    template_: tpl.Template,
    raw,
    title: str,
    *,
    errors=None,
    draft=None,
    status=200,
    req=None,
    message: str | None = None,
):
    return render_template(
        "approvals/form.html",
        template=template_,
        raw=raw,
        title=title,
        errors=errors or {},
        draft=draft,
        departments=queries.departments(),
        req=req,
        message=message,
    ), status


@bp.route("/new/<key>", methods=["GET", "POST"])
@login_required
def new(key: str):
    template_ = config.template(key)
    if template_ is None:
        abort(404)
    if request.method == "GET":
        return _form_page(template_, {}, tpl.label(template_.names, locale()))
    return _handle_form(
        template_,
        lambda title, raw, confirmed: services.submit_request(
            template_.key, title, raw, current_user, confirmed=confirmed
        )[0],
    )


def _handle_form(template_: tpl.Template, store, req: ApprovalRequest | None = None):
    """preview: check and show the route (a read); confirm: one service call stores what was
    shown (a changed route is shown again, 409); an htmx request from the form refreshes only
    the route panel. Whatever fails, the form comes back with everything typed."""
    title, raw = request.form.get("title", ""), request.form
    if wants_fragment() or request.form.get("step") != "confirm":
        try:
            draft = drafts.prepare(template_.key, title, raw, current_user)
        except ApprovalInputError as err:
            if wants_fragment():
                return render_template("approvals/_preview.html", draft=None, errors=err.errors), 200
            return _form_page(template_, raw, title, errors=err.errors, status=422, req=req)
        if wants_fragment():
            return render_template("approvals/_preview.html", draft=draft, errors={})
        return _form_page(template_, raw, title, draft=draft, req=req)
    try:
        saved = store(title, raw, request.form.get("route", ""))
    except ApprovalInputError as err:
        return _form_page(template_, raw, title, errors=err.errors, status=422, req=req)
    except RouteChanged as err:
        return _form_page(template_, raw, title, draft=err.draft, status=409, req=req, message=err.message)
    except Conflict as err:
        return _form_page(template_, raw, title, status=409, req=req, message=err.message)
    except DomainError as err:
        return _form_page(template_, raw, title, errors={"route": err.message}, status=err.status, req=req)
    flash(
        _(
            "Request %(number)s was submitted to %(name)s.",
            number=saved.number,
            name=queries.pending_step(saved).approver.display_name,
        ),
        "success",
    )
    return redirect(url_for("approvals.show", request_id=saved.id))


@bp.get("/<int:request_id>")
@login_required
def show(request_id: int):
    req = load_or_404(request_id)
    return render_template("approvals/show.html", **_show_context(req))


def _show_context(req: ApprovalRequest, **extra) -> dict:
    return {
        "req": req,
        "template": config.template(req.template_key),
        "pending": queries.pending_step(req),
        "may_decide": queries.may_decide(req, current_user),
        "is_requester": req.requester_id == current_user.id,
        "rounds": sorted({s.round for s in req.steps}, reverse=True),
        "departments": {d.id: d.name for d in queries.departments()},
        "now": utcnow(),
        **extra,
    }


@bp.get("/<int:request_id>/route")
@login_required
def route(request_id: int):
    """The live route panel (polled by htmx while the request is in progress)."""
    req = load_or_404(request_id)
    response = render_template("approvals/_route.html", **_show_context(req))
    if req.state != "in_progress":
        return response, 286  # htmx stops polling on 286
    return response


@bp.post("/<int:request_id>/decision")
@login_required
def decide(request_id: int):
    req = load_or_404(request_id)
    decision, comment = request.form.get("decision", ""), request.form.get("comment", "")
    try:
        services.decide(req, current_user, decision, comment)
    except DomainError as err:  # nothing was written; the page shows where the request stands now
        req = load_or_404(request_id)
        return render_template(
            "approvals/show.html", **_show_context(req, error=err.message, comment=comment, decision=decision)
        ), err.status
    flash(
        {
            "approve": _("Approved %(number)s.", number=req.number),
            "reject": _("Rejected %(number)s.", number=req.number),
            "return": _("Returned %(number)s to the requester for changes.", number=req.number),
        }[decision],
        "success",
    )
    if request.form.get("next") == "todo":
        return redirect(url_for("approvals.lists", box="todo"))
    return redirect(url_for("approvals.show", request_id=req.id))


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit(request_id: int):
    req = load_or_404(request_id)
    template_ = config.template(req.template_key)
    if not access.may_change(current_user.id, req.requester_id) or template_ is None:
        abort(403)
    if not flow.can_resubmit(req.state):
        flash(_("Only a request returned for changes can be edited."), "error")
        return redirect(url_for("approvals.show", request_id=req.id))
    if request.method == "GET":
        raw = dict(req.fields or {})
        for f in template_.fields:
            value = raw.get(f.name)
            if f.type == "date_range" and isinstance(value, dict):
                raw[f"{f.name}_start"], raw[f"{f.name}_end"] = value.get("start"), value.get("end")
            elif f.type == "boolean":
                raw[f.name] = "on" if value else ""
        return _form_page(template_, raw, req.title, req=req)
    return _handle_form(
        template_,
        lambda title, raw, confirmed: services.resubmit(req, current_user, title, raw, confirmed=confirmed),
        req=req,
    )


@bp.post("/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    req = load_or_404(request_id)
    try:
        services.withdraw(req, current_user, request.form.get("reason", ""))
    except DomainError as err:
        if err.status in (403, 404):
            raise  # not theirs to withdraw: refused like any other page, not shown as done
        flash(err.message, "error")
        return redirect(url_for("approvals.show", request_id=request_id)), 303
    flash(_("Request %(number)s was withdrawn.", number=req.number), "success")
    return redirect(url_for("approvals.show", request_id=req.id))


@bp.post("/<int:request_id>/comments")
@login_required
def comment(request_id: int):
    req = load_or_404(request_id)
    body = request.form.get("body", "")
    try:
        services.add_comment(req, current_user, body)
    except DomainError as err:
        req = load_or_404(request_id)
        return render_template(
            "approvals/show.html", **_show_context(req, comment_error=err.message, comment_body=body)
        ), err.status
    return redirect(url_for("approvals.show", request_id=req.id, _anchor="history"))


@bp.route("/delegations", methods=["GET", "POST"])
@login_required
def delegations():
    errors, form = {}, {}
    status = 200
    if request.method == "POST":
        form = request.form
        try:
            services.delegate(
                current_user, form.get("delegate", ""), _date(form.get("starts")), _date(form.get("ends"))
            )
        except DomainError as err:  # the form comes back with what was typed
            errors = getattr(err, "errors", None) or {"delegate": err.message}
            status = err.status
        else:
            flash(_("Your delegation is saved."), "success")
            return redirect(url_for("approvals.delegations"))
    return render_template(
        "approvals/delegations.html",
        rows=queries.my_delegations(current_user),
        errors=errors,
        form=form,
        colleagues=queries.stand_ins(current_user),
        today=date.today(),
        can_delegate=current_user.position in APPROVER_POSITIONS,
    ), status


@bp.post("/delegations/<int:delegation_id>/revoke")
@login_required
def revoke(delegation_id: int):
    d = queries.delegation(delegation_id, current_user)
    if d is None:
        abort(404)
    services.revoke(d, current_user)
    flash(_("The delegation was revoked."), "success")
    return redirect(url_for("approvals.delegations"))


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
