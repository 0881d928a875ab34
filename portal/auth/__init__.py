"""Accounts: users, departments, regions, roles, sign-in and API tokens."""

from __future__ import annotations


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from portal.auth import cli, sessions, views
    from portal.auth.services import user_for_token
    from portal.extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(key: str):
        return sessions.load(key)

    @login_manager.request_loader
    def _load_from_header(request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return user_for_token(header[7:].strip())
        return None

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import redirect, request, url_for

        from portal.web.errors import error_response, wants_json

        if wants_json():
            return error_response(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.token)
