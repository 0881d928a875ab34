"""Words people read for states, actions, events and channels (translated at render time)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.tickets.states import State
from portal.web.filters import when


def state_label(state: str) -> str:
    return {
        State.PENDING: _("Pending"),
        State.IN_PROGRESS: _("In progress"),
        State.WAITING: _("Waiting for information"),
        State.RESOLVED: _("Resolved"),
        State.CLOSED: _("Closed"),
        State.REOPENED: _("Reopened"),
    }.get(state, state)


def action_label(action: str) -> str:
    return {
        "start": _("Start work"),
        "ask": _("Ask the requester"),
        "answer": _("Answer"),
        "resolve": _("Resolve"),
        "confirm": _("Confirm"),
        "reopen": _("Reopen"),
        "auto_close": _("Close automatically"),
        "close": _("Close without solution"),
    }.get(action, action)


def action_hint(action: str) -> str:
    return {
        "ask": _("What do you need from the requester? (shown as the reason on their ticket)"),
        "resolve": _("The solution, as the requester will read it"),
        "close": _("Why is the ticket closed? (duplicate, withdrawn …)"),
        "reopen": _("What is still wrong?"),
    }.get(action, _("Message"))


def tier_label(tier: str) -> str:
    """A tier with the targets configured for it."""
    cfg = current_app.config
    if tier == "standard":
        return _(
            "Standard (respond in %(minutes)s min, solve in %(hours)s h)",
            minutes=f"{float(cfg['TICKET_STANDARD_RESPONSE_MINUTES']):g}",
            hours=f"{float(cfg['TICKET_STANDARD_RESOLUTION_HOURS']):g}",
        )
    if tier == "complex":
        n = int(cfg["TICKET_COMPLEX_RESOLUTION_DAYS"])
        return ngettext("Complex (%(num)d working day)", "Complex (%(num)d working days)", n)
    n = int(cfg["TICKET_SIMPLE_RESOLUTION_DAYS"])
    return ngettext("Simple (%(num)d working day)", "Simple (%(num)d working days)", n)


def channel_label(channel: str) -> str:
    return {"web": _("Web form"), "phone": _("Phone"), "email": _("E-mail"), "chat": _("Chat")}.get(channel, channel)


def event_label(event) -> str:
    d = event.data or {}
    kind = event.kind
    if kind == "created":
        return (
            _("filed the ticket")
            if not d.get("channel")
            else _("filed the ticket for the requester (%(channel)s)", channel=channel_label(d["channel"]))
        )
    if kind == "reply":
        return _("replied")
    if kind == "note":
        return _("wrote an internal note")
    if kind == "state":
        return _(
            "changed the status: %(old)s → %(new)s",
            old=state_label(d.get("from", "")),
            new=state_label(d.get("to", "")),
        )
    if kind == "assign":
        return _("assigned the ticket to %(name)s", name=event.target.display_name if event.target else d.get("to"))
    if kind == "escalate":
        return (
            _("escalated the complex problem to a senior engineer")
            if d.get("reason") == "complex"
            else _("escalated the overdue ticket to a senior engineer")
        )
    if kind == "complexity":
        return {
            "complex": _("marked the problem complex"),
            "simple": _("marked the problem simple"),
        }.get(d.get("to", ""), _("put the ticket in the standard tier"))
    if kind == "promise":
        return _("gave a new expected time: %(when)s", when=_local(d.get("expected_at")))
    if kind == "sla_warning":
        return (
            _("warned: the first response is due soon")
            if d.get("clock") == "response"
            else _("warned: the solution is due soon")
        )
    if kind == "sla_breach":
        return (
            _("recorded a breach: first response overdue")
            if d.get("clock") == "response"
            else _("recorded a breach: solution overdue")
        )
    if kind == "rating":
        return _("rated the service %(n)d of 5", n=d.get("rating", 0))
    if kind == "follow_up":
        return _("recorded a follow-up visit")
    if kind == "faq_draft":
        return _("turned the ticket into FAQ draft %(id)s", id=d.get("article_id"))
    if kind == "linked":
        return _("linked the answering FAQ %(id)s", id=d.get("article_id") or "—")
    if kind == "shared":
        return _("shared the ticket as a past case")
    if kind == "unshared":
        return _("stopped sharing the ticket as a past case")
    return kind


def _local(iso: str | None) -> str:
    return when(datetime.fromisoformat(iso)) if iso else "—"


HELPERS = {
    "tier_label": tier_label,
    "state_label": state_label,
    "action_label": action_label,
    "action_hint": action_hint,
    "channel_label": channel_label,
    "event_label": event_label,
}
