"""The employee's side of the desk: filing with live deflection, my tickets, a ticket's page,
replies, confirming and rating. Support's pages are in desk.py on the same blueprint; what both
share is in pages.py."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal.audit import services as audit
from portal.core import uploads as files
from portal.core.errors import Conflict, DomainError
from portal.extensions import db
from portal.kb.models import Category
from portal.search import log as search_log
from portal.search import query as search_query
from portal.tickets import access, queries, search_source, services
from portal.tickets.blueprint import bp
from portal.tickets.forms import ActionForm, RateForm, ReplyForm, TicketForm
from portal.tickets.models import Attachment, Ticket
from portal.tickets.pages import load_ticket_or_404, page_context, show_again
from portal.tickets.states import Action
from portal.web.access import login_required
from portal.web.filters import when
from portal.web.htmx import is_htmx, render
from portal.web.request import current_viewer, parse_page
from portal.web.safety import safe_next

SUGGEST_LIMIT = 5


def _categories(form: TicketForm) -> None:
    categories = [(c.id, c.name) for c in db.session.scalars(select(Category).order_by(Category.id))]
    form.category_id.choices = [("", _("— choose a category —")), *categories]


@bp.get("/")
@login_required
def mine():
    state = request.args.get("state", "open")
    state = state if state in ("open", "done", "all") else "open"
    page = queries.mine(
        current_user, state, parse_page(request.args.get("page")), current_app.config["TICKET_PAGE_SIZE"]
    )
    return render("tickets/mine.html", "tickets/_mine_rows.html", rows=page, state=state)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = TicketForm()
    _categories(form)
    desk = access.is_desk(current_user.roles)
    if request.method == "GET":
        form.title.data = (request.args.get("title") or "")[: services.TITLE_MAX]
        form.contact.data = current_user.email or ""
    errors = {}
    if form.validate_on_submit():
        data = services.TicketInput(
            title=form.title.data,
            description=form.description.data or "",
            category_id=form.category_id.data,
            severity=form.severity.data,
            contact=form.contact.data or "",
            channel=form.channel.data if desk else "web",
            requester_username=(form.requester_username.data or "") if desk else "",
            uploads=files.from_request(request.files.getlist(form.attachments.name)),
        )
        try:
            ticket = services.file_ticket(data, current_user, search_token=search_log.session_token())
        except services.TicketError as err:
            errors = err.errors
        else:
            flash(
                _(
                    "Ticket %(number)s was filed. We will answer by %(due)s.",
                    number=ticket.number,
                    due=_local(ticket.first_response_due),
                ),
                "success",
            )
            return redirect(url_for("tickets.show", ticket_id=ticket.id))
    for name, message in errors.items():
        getattr(form, name, form.title).errors = [*getattr(form, name, form.title).errors, message]
    status = 422 if request.method == "POST" else 200
    suggestions = _suggestions(form.title.data or "", form.description.data or "") if form.title.data else []
    return render_template("tickets/new.html", form=form, desk=desk, suggestions=suggestions), status


def _local(t):
    return when(t)


def _suggestions(title: str, description: str):
    text = f"{title} {description}".strip()[: current_app.config["SEARCH_MAX_QUERY_LENGTH"]]
    if not text:
        return []
    results = search_query.search(text, current_viewer(), page=1, pagelen=SUGGEST_LIMIT)
    return results.hits


@bp.get("/suggest")
@login_required
def suggest():
    """Live deflection: articles matching what the employee is typing."""
    title = (request.args.get("title") or "").strip()
    description = (request.args.get("description") or "").strip()
    return render_template("tickets/_suggestions.html", suggestions=_suggestions(title, description), title=title)


@bp.post("/deflect")
@login_required
def deflect():
    form = FlaskForm()  # the CSRF token only
    if not form.validate_on_submit():
        abort(400)
    article_id = request.form.get("article_id", type=int)
    target = request.form.get("url", "")
    services.deflect(article_id, request.form.get("title", ""))
    flash(_("Glad it is solved. No ticket was filed."), "success")
    return redirect(safe_next(target, url_for("search.home")))


@bp.get("/<int:ticket_id>")
@login_required
def show(ticket_id: int):
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is not None and not access.can_view(current_user.id, current_user.roles, ticket.requester_id):
        if search_source.visibility(ticket) == "internal":  # a shared past case: the solution only
            return render_template("tickets/case.html", ticket=ticket)
        ticket = None
    if ticket is None:
        abort(404)
    if not is_htmx():  # an opening, not the ledger's refresh every 30 s
        audit.record_view("view_ticket", actor=current_user, subject=ticket.requester, target=f"ticket:{ticket.id}")
    return render("tickets/show.html", "tickets/_ledger.html", **page_context(ticket))


def _back(ticket: Ticket):
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#ledger")


@bp.post("/<int:ticket_id>/reply")
@login_required
def reply(ticket_id: int):
    ticket = load_ticket_or_404(ticket_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return show_again(
            ticket, services.TicketError({"body": _("The message could not be accepted.")}), reply_form=form
        )
    try:
        services.reply(
            ticket,
            current_user,
            form.body.data or "",
            internal=bool(form.internal.data),
            uploads=files.from_request(request.files.getlist(form.attachments.name)),
        )
    except DomainError as err:
        return show_again(ticket, err, reply_form=form)
    return _back(ticket)


@bp.post("/<int:ticket_id>/action")
@login_required
def act(ticket_id: int):
    ticket = load_ticket_or_404(ticket_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action = Action(form.action.data)
    except ValueError:
        abort(400)
    if form.version.data and form.version.data.isdigit() and int(form.version.data) != ticket.version:
        return show_again(
            ticket,
            Conflict(_("Someone else changed this ticket a moment ago. Refresh and try again.")),
            action_form=form,
        )
    try:
        services.change_state(ticket, current_user, action, body=form.body.data or "")
    except DomainError as err:
        return show_again(ticket, err, action_form=form, open_action=action.value)
    return _back(ticket)


@bp.post("/<int:ticket_id>/rate")
@login_required
def rate(ticket_id: int):
    ticket = load_ticket_or_404(ticket_id)
    form = RateForm()
    if not form.validate_on_submit():
        return show_again(ticket, services.TicketError({"rating": _("Choose 1 to 5 stars.")}), rate_form=form)
    try:
        services.rate(ticket, current_user, form.rating.data, form.comment.data or "")
    except DomainError as err:
        return show_again(ticket, err, rate_form=form)
    flash(_("Thank you for your rating."), "success")
    return _back(ticket)


@bp.get("/<int:ticket_id>/files/<int:file_id>")
@login_required
def download(ticket_id: int, file_id: int):
    ticket = load_ticket_or_404(ticket_id)
    item = db.session.get(Attachment, file_id)
    if item is None or item.ticket_id != ticket.id or (item.internal and not access.is_agent(current_user.roles)):
        abort(404)
    path = files.path_of(item.stored_name)
    if not path.exists():
        abort(404)
    audit.record_view(
        "view_attachment", actor=current_user, subject=ticket.requester, target=f"ticket:{ticket.id}/file:{item.id}"
    )
    inline = item.content_type.startswith("image/") and item.content_type != "image/svg+xml"
    response = send_file(
        path,
        mimetype=item.content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        download_name=item.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
