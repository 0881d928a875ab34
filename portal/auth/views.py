"""Sign in and sign out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import services, signin
from portal.auth.forms import LoginForm
from portal.web.safety import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
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
