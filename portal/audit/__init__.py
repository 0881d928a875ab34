"""The audit trail: who did what to whom, append-only, each row chained to the one before."""

from __future__ import annotations


def init_app(app):
    from portal.audit import cli, views
    from portal.audit.labels import action_label

    app.jinja_env.globals["audit_action_label"] = action_label
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.audit)
