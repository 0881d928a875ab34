"""Sign in and sign out; change, forget and reset a password."""

from __future__ import annotations

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import recovery, services, signin
from portal.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from portal.core.errors import InvalidInput
from portal.web import i18n, limits
from portal.web.access import login_required
from portal.web.safety import safe_next

bp = Blueprint("auth", __name__)
TOKEN_MAX = 100  # a reset token is 43 characters; anything much longer is not one


@bp.route("/login", methods=["GET", "POST"])
@limits.sign_in
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("search.home")))
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.AccountLocked as err:
            error, status = err.message, err.status
        else:
            if user is not None:
                signin.complete(user, remember=bool(form.remember.data))
                return redirect(safe_next(form.next.data, url_for("search.home")), 303)
            error = _("Wrong username or password.")
    if request.method == "POST" and status == 200:
        status = 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    signin.sign_out()
    return redirect(url_for("search.home"), 303)


def _show(form, err: InvalidInput) -> None:
    """Put a refusal under its fields: one line per broken password rule."""
    per_rule = err.messages if isinstance(err, services.WeakPassword) else None
    for name, message in err.errors.items():
        form[name].errors = list(per_rule) if per_rule and name == err.field else [message]


def _private(page: str, status: int = 200) -> Response:
    """Password pages: never cached, and a reset link in the address never leaks as a referrer."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error, status = None, 200
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current.data, form.new.data)
        except services.AccountLocked as err:
            error, status = err.message, err.status
        except InvalidInput as err:
            _show(form, err)
            status = 422
        else:
            flash(_("Your password has been changed. Other sessions of your account have been signed out."), "success")
            return redirect(safe_next(form.next.data, url_for("search.home")), 303)
    elif request.method == "POST":
        status = 422
    page = render_template(
        "auth/change_password.html",
        form=form,
        error=error,
        reason=services.password_change_reason(current_user),
        rules=services.password_rules(),
    )
    return _private(page, status)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limits.password_reset
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_password_reset(form.login.data, locale=i18n.select_locale())
        return redirect(url_for("auth.forgot_password", sent=1), 303)
    sent = request.method == "GET" and request.args.get("sent") == "1"
    page = render_template("auth/forgot_password.html", form=form, sent=sent, minutes=recovery.reset_minutes())
    return _private(page, 422 if request.method == "POST" else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = NewPasswordForm()
    try:
        user = recovery.check_reset_link(token if len(token) <= TOKEN_MAX else "")
    except recovery.ResetLinkInvalid as err:
        return _private(render_template("auth/reset_password.html", invalid=err.message), err.status)
    status = 200
    if form.validate_on_submit():
        try:
            recovery.reset_with_link(token, form.new.data)
        except recovery.ResetLinkInvalid as err:
            return _private(render_template("auth/reset_password.html", invalid=err.message), err.status)
        except InvalidInput as err:
            _show(form, err)
            status = 422
        else:
            signin.sign_out()  # whoever was signed in in this browser signs in anew
            flash(_("Your password has been set. Sign in with it now."), "success")
            return redirect(url_for("auth.login"), 303)
    elif request.method == "POST":
        status = 422
    page = render_template(
        "auth/reset_password.html", form=form, user=user, token=token, rules=services.password_rules()
    )
    return _private(page, status)
