"""Online approvals: templates as data, routing by an authority matrix, decisions, reminders,
statistics."""

from __future__ import annotations


def init_app(app):
    from portal.approvals import models, stats_views, tasks, views  # noqa: F401
    from portal.approvals.labels import HELPERS

    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(HELPERS)

    @app.context_processor
    def _approval_nav():
        from flask_login import current_user

        from portal.approvals import queries

        if not current_user.is_authenticated:
            return {}
        # the navigation shows the to-do count only; the lists page counts both boxes itself
        return {"approval_todo_count": lambda: queries.count("todo", current_user), "approval_shortcuts": _shortcuts}


def _shortcuts(query: str):
    from portal.approvals import config, shortcuts

    return shortcuts.matching(query, config.templates().values())
