"""What each kind of notification is called where it is listed."""

from __future__ import annotations

from flask_babel import gettext as _


def kind_label(kind: str) -> str:
    return {
        "approval_todo": _("To approve"),
        "approval_approved": _("Approved"),
        "approval_rejected": _("Rejected"),
        "approval_returned": _("Returned for changes"),
        "approval_withdrawn": _("Withdrawn"),
        "approval_comment": _("New comment"),
        "approval_due_soon": _("Due soon"),
        "approval_overdue": _("Overdue"),
        "delegation": _("You stand in for"),
        "ticket_sla_warning": _("Ticket due soon"),
        "ticket_sla_breach": _("Ticket SLA missed"),
        "certificate": _("Certificate issued"),
        "quiz_reviewed": _("Practical task reviewed"),
        "quiz_extra_attempt": _("Extra attempt granted"),
        "certificate_revoked": _("Certificate revoked"),
        "password_expiry": _("Password expires soon"),
        "handover": _("Work handed over to you"),
        "calendar_coverage": _("Working calendar"),
        "ticket_promise": _("New expected time"),
        "article_published": _("Your draft was published"),
        "article_sent_back": _("Your draft was sent back"),
    }.get(kind, kind)
