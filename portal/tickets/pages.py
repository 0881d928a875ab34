"""What the employee's and support's ticket pages share: loading a ticket the user may work
with, the ticket page's context, showing it again after a refused post, the manage form."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.core.errors import DomainError, InvalidInput
from portal.extensions import db
from portal.tickets import access, clock, queries
from portal.tickets.forms import ActionForm, ManageForm, PromiseForm, RateForm, ReplyForm
from portal.tickets.labels import tier_label
from portal.tickets.models import Ticket
from portal.tickets.sla import Tier
from portal.tickets.states import Action, Actor, State, allowed_actions


def load_ticket_or_404(ticket_id: int) -> Ticket:
    """The ticket if this user may work with it: its requester or support. 404 otherwise, so a
    number typed into the address bar says nothing about other people's tickets."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not access.can_view(current_user.id, current_user.roles, ticket.requester_id):
        abort(404)
    return ticket


def manage_form(ticket: Ticket, form: ManageForm | None = None) -> ManageForm:
    """Support's form on the ticket page: as the ticket is, or as posted (`form`)."""
    form = form or ManageForm(
        formdata=None,
        obj=None,
        data={
            "assignee": ticket.assignee_id or 0,
            "complexity": ticket.complexity,
            "shareable": ticket.shareable,
            "article_id": ticket.article_id,
        },
    )
    form.complexity.choices = [(t.value, tier_label(t.value)) for t in Tier]
    form.assignee.choices = [(0, _("— not assigned —"))] + [
        (u.id, f"{u.display_name} · {u.region.name if u.region else '-'}") for u in queries.engineers()
    ]
    return form


def page_context(ticket: Ticket, **extra) -> dict:
    user = current_user
    is_agent = access.is_agent(user.roles)
    is_requester = user.id == ticket.requester_id
    cal = clock.calendar()
    actions = []
    if is_requester:
        actions += [a for a in allowed_actions(State(ticket.state), Actor.REQUESTER) if a != Action.ANSWER]
    if is_agent:
        actions += [a for a in allowed_actions(State(ticket.state), Actor.AGENT) if a not in actions]
    events = [e for e in ticket.events if is_agent or not e.internal]
    files = [a for a in ticket.attachments if is_agent or not a.internal]
    context = {
        "ticket": ticket,
        "events": events,
        "files": files,
        "is_agent": is_agent,
        "is_requester": is_requester,
        "actions": actions,
        "response_risk": clock.response_risk(ticket, cal=cal),
        "resolution_risk": clock.resolution_risk(ticket, cal=cal),
        "reply_form": ReplyForm(),
        "action_form": ActionForm(),
        "rate_form": RateForm(),
        "outlook": clock.outlook(ticket),
    }
    if is_agent:
        context["manage_form"] = manage_form(ticket)
        context["quick_replies"] = queries.quick_replies()
    if ticket.assignee_id == user.id and ticket.state in clock.RUNNING:
        context["promise_form"] = PromiseForm(formdata=None)
    context.update(extra)
    return context


def show_again(ticket: Ticket, err: DomainError, **extra):
    """The ticket page again with the message and everything the user typed (the posted forms
    in `extra`, their refused fields marked)."""
    if err.status == 404:
        abort(404)
    if isinstance(err, InvalidInput):
        for form in (v for v in extra.values() if isinstance(v, FlaskForm)):
            for name, message in err.errors.items():
                if name in form and message not in form[name].errors:
                    form[name].errors = [*form[name].errors, message]
    context = page_context(ticket, error=err.message, **extra)
    return render_template("tickets/show.html", **context), err.status
