"""Notifications: in-app messages now; e-mail and chat robots read the same rows later."""

from __future__ import annotations


def init_app(app):
    from portal.notify import models, views  # noqa: F401
    from portal.notify.labels import kind_label

    app.register_blueprint(views.bp)
    app.jinja_env.globals["notification_kind"] = kind_label

    @app.context_processor
    def _unread():
        from flask_login import current_user

        from portal.notify import services

        if not current_user.is_authenticated:
            return {}
        return {"unread_notifications": lambda: services.unread_count(current_user.id)}
