"""Notifications: in-app messages now; e-mail and chat robots read the same rows later."""

from __future__ import annotations


def init_app(app):
    from portal.notify import models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.jinja_env.globals["notification_kind"] = kind_label

    @app.context_processor
    def _unread():
        from flask_login import current_user

        from portal.notify import services

        if not current_user.is_authenticated:
            return {}
        return {"unread_notifications": lambda: services.unread_count(current_user.id)}


def kind_label(kind: str) -> str:
    from flask_babel import gettext as _

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
    }.get(kind, kind)
