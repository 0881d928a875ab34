"""Support's side of the desk: the queue with filters and bulk assignment, managing a ticket,
follow-ups, FAQ drafts, the occurrence ranking of FAQs and the working calendar."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.auth.models import User
from portal.core import calendar_days
from portal.core.errors import DomainError, InvalidInput
from portal.extensions import db
from portal.tickets import access, calendar_admin, clock, queries, services
from portal.tickets.blueprint import bp
from portal.tickets.forms import ManageForm, PromiseForm
from portal.tickets.pages import load_ticket_or_404, manage_form, show_again
from portal.web.access import public_kb, roles_required
from portal.web.htmx import render
from portal.web.request import parse_page

AGENTS = ("support", "engineer", "senior_engineer")


@bp.get("/queue")
@roles_required(*AGENTS)
def queue():
    f = queries.QueueFilter.from_args(request.args)
    page = queries.queue(f, current_user, parse_page(request.args.get("page")), current_app.config["TICKET_PAGE_SIZE"])
    cal = clock.calendar()
    risks = {t.id: (clock.response_risk(t, cal=cal), clock.resolution_risk(t, cal=cal)) for t in page.items}
    return render(
        "tickets/queue.html",
        "tickets/_queue_table.html",
        rows=page,
        f=f,
        risks=risks,
        regions=queries.regions(),
        engineers=queries.engineers(),
        can_assign=access.is_desk(current_user.roles),
        bulk_form=FlaskForm(),
    )


@bp.post("/queue/assign")
@roles_required("support")
def bulk_assign():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [int(i) for i in request.form.getlist("ticket") if i.isdigit()]
    assignee = db.session.get(User, request.form.get("assignee", type=int) or 0)
    back = url_for("tickets.queue", **dict(request.args.items()))
    if not ids:
        flash(_("Select at least one ticket."), "error")
        return redirect(back), 303
    if assignee is None:
        flash(_("Choose the engineer to assign them to."), "error")
        return redirect(back), 303
    try:
        n = services.bulk_assign(ids, assignee, current_user)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(back), 303
    flash(_("%(n)d ticket(s) assigned to %(name)s.", n=n, name=assignee.display_name), "success")
    return redirect(back), 303


@bp.post("/<int:ticket_id>/manage")
@roles_required(*AGENTS)
def manage(ticket_id: int):
    ticket = load_ticket_or_404(ticket_id)
    form = manage_form(ticket, ManageForm())
    if not form.validate_on_submit():
        return show_again(
            ticket, services.TicketError({"manage": _("Please correct the marked fields.")}), manage_form=form
        )
    try:
        services.manage(
            ticket,
            current_user,
            assignee_id=form.assignee.data or None,
            complexity=form.complexity.data,
            shareable=bool(form.shareable.data),
            article_id=form.article_id.data or None,
        )
    except DomainError as err:
        return show_again(ticket, err, manage_form=form)
    flash(_("Saved."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.post("/<int:ticket_id>/follow-up")
@roles_required(*AGENTS)
def follow_up(ticket_id: int):
    ticket = load_ticket_or_404(ticket_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        services.follow_up(ticket, current_user, request.form.get("note", ""))
    except DomainError as err:
        return show_again(ticket, err, follow_up_note=request.form.get("note", ""))
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#ledger")


@bp.post("/<int:ticket_id>/expected")
@roles_required(*AGENTS)
def revise_expected(ticket_id: int):
    """The engineer's reason and new expected time once a due time has passed."""
    ticket = load_ticket_or_404(ticket_id)
    form = PromiseForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        err = services.TicketError({"expected": _("Enter the date and time, e.g. 2027-01-04 14:00.")})
        return show_again(ticket, err, promise_form=form)
    expected = to_utc(form.expected.data) if form.expected.data else None
    try:
        services.revise_expected(ticket, current_user, form.reason.data or "", expected)
    except DomainError as err:
        return show_again(ticket, err, promise_form=form)
    flash(_("The requester now reads your reason and the new expected time."), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#ledger")


@bp.post("/<int:ticket_id>/faq-draft")
@roles_required(*AGENTS)
def faq_draft(ticket_id: int):
    ticket = load_ticket_or_404(ticket_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        article = services.draft_faq(ticket, current_user)
    except DomainError as err:
        return show_again(ticket, err)
    flash(_("FAQ draft %(id)d created from this ticket. Curators find it unpublished.", id=article.id), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.get("/top-faqs")
@public_kb
def top_faqs():
    rows = queries.top_faqs(50, authenticated=current_user.is_authenticated)
    return render_template("tickets/top_faqs.html", rows=rows)


def _year(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 4:
        raise InvalidInput({"year": _("Choose a year.")})
    return int(raw)


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required("admin")
def calendar():
    """Holidays and make-up working days (调休) the SLA clock and the approval clock respect."""
    form = FlaskForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        back = redirect(url_for("tickets.calendar"))
        try:
            if remove := request.form.get("remove"):
                calendar_admin.remove_day(current_user, remove)
                return back
            if year := request.form.get("sync"):
                result = calendar_admin.sync_year(current_user, _year(year))
                flash(
                    _(
                        "%(year)d loaded from %(source)s: %(added)d added, %(changed)d changed, %(removed)d removed, "
                        "%(kept)d of your own entries kept.",
                        year=result.year,
                        source=result.source,
                        added=result.added,
                        changed=result.changed,
                        removed=result.removed,
                        kept=result.kept,
                    ),
                    "success",
                )
                return back
            if year := request.form.get("check"):
                calendar_admin.check_year(current_user, _year(year))
                flash(_("%(year)s marked as checked against the State Council's notice.", year=year), "success")
                return back
            calendar_admin.set_day(
                current_user, request.form.get("day"), request.form.get("kind"), request.form.get("name", "")
            )
        except InvalidInput as err:
            error = err.message
        else:
            flash(_("Saved. Due times of new tickets follow the calendar now."), "success")
            return back
    return render_template(
        "tickets/calendar.html",
        days=calendar_days.all_days(),
        years=calendar_days.loaded_years(),
        problems=calendar_admin.problems(calendar_admin.reach()),
        form=form,
        error=error,
        typed=request.form if error else {},
    ), 422 if error else 200
