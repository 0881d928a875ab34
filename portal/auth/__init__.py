"""Accounts: users, departments, regions, roles, sign-in, passwords and API tokens."""

from __future__ import annotations

# What a signed-in user whose password must change may still open.
OPEN_WHILE_CHANGE_REQUIRED = {"static", "auth.change_password", "auth.logout", "web.set_language"}


def init_app(app):
    from flask import g
    from flask_babel import lazy_gettext as _l

    from portal.auth import cli, sessions, tasks, views  # noqa: F401  (tasks: the reminder job)
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
            user = user_for_token(header[7:].strip())
            g.signed_in_by_token = user is not None
            return user
        return None

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import redirect, request, url_for

        from portal.web.errors import error_response, wants_json

        if wants_json():
            return error_response(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.before_request(_password_guard)
    app.context_processor(_password_banner)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.token)


def _password_guard():
    """An initial or expired password is changed before anything else: pages redirect to the
    change page, the API answers 403 with the reason. An API token is a credential of its own
    (a robot has no one to type a new password), so token calls are not held up."""
    from flask import g, redirect, request, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    from portal.auth import services
    from portal.web.errors import error_response, wants_json
    from portal.web.htmx import client_redirect, is_htmx

    if request.endpoint in OPEN_WHILE_CHANGE_REQUIRED or not current_user.is_authenticated:
        return None
    if g.get("signed_in_by_token"):
        return None
    reason = services.password_change_reason(current_user)
    if reason is None:
        return None
    if wants_json():
        message = (
            _("Your password has expired. Change it at /password before using the portal.")
            if reason == "expired"
            else _("You must replace your initial password at /password before using the portal.")
        )
        return error_response(403, message, "password_change_required")
    target = url_for("auth.change_password", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if is_htmx():
        return client_redirect(target)
    return redirect(target, 303)


def _password_banner():
    """`password_reminder()` in every page: the expiry when it is within the reminder period."""
    from flask_login import current_user

    def reminder():
        from portal.auth import services

        if not current_user.is_authenticated:
            return None
        state = services.password_expiry(current_user)
        return state if state.remind else None

    return {"password_reminder": reminder}
