"""The user's own security page, /account/security: two-factor sign-in (set up, replace, turn off,
new recovery codes), trusted browsers (forget one or all) and open sessions (end one, or all but
this one), with a link to change the password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.auth import authenticator, devices, sessions, signin
from portal.auth.forms import EnrolForm, ProofForm
from portal.auth.second_factor import browser_label
from portal.auth.second_step_views import private, setup_context
from portal.auth.services import AccountLocked
from portal.auth.views import bp
from portal.core.errors import InvalidInput
from portal.web.access import login_required


def _page(status: int = 200, *, disable_form: ProofForm | None = None, codes_form: ProofForm | None = None):
    user = current_user._get_current_object()
    here = sessions.current()
    this_browser = devices.trusted_device(user, signin.device_tokens())
    page = render_template(
        "auth/security.html",
        status=authenticator.status(user),
        disable_form=disable_form or ProofForm(prefix="disable", formdata=None),
        codes_form=codes_form or ProofForm(prefix="codes", formdata=None),
        browsers=devices.list_for(user),
        this_browser_id=this_browser.id if this_browser is not None else None,
        sign_ins=sessions.active_for(user),
        this_session_id=here.id if here is not None else None,
        browser_label=browser_label,
    )
    return private(page, status)


@bp.get("/account/security")
@login_required
def security():
    return _page()


@bp.route("/account/security/authenticator", methods=["GET", "POST"])
@login_required
def setup_authenticator():
    """Set up an authenticator — the first one, or a new one replacing the old (which keeps
    working until the new one is confirmed)."""
    user = current_user._get_current_object()
    form = EnrolForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = authenticator.confirm_enrolment(user, form.code.data)
        except InvalidInput as err:
            form.code.errors = list(err.errors.values())
            status = 422
        else:
            page = render_template("auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.security"))
            return private(page)
    elif request.method == "POST":
        status = 422
    secret = authenticator.enrolment_secret(user)
    page = render_template(
        "auth/enrol.html",
        form=form,
        action=url_for("auth.setup_authenticator"),
        signing_in=False,
        replacing=authenticator.is_enrolled(user),
        required_by=authenticator.required_by(user),
        **setup_context(user, secret),
    )
    return private(page, status)


@bp.post("/account/security/authenticator/disable")
@login_required
def disable_two_factor():
    form = ProofForm(prefix="disable")
    if not form.validate_on_submit():
        return _page(422, disable_form=form)
    try:
        authenticator.disable(current_user._get_current_object(), form.proof.data)
    except (InvalidInput, AccountLocked) as err:
        form.proof.errors = [err.message]
        return _page(err.status, disable_form=form)
    flash(_("Two-factor sign-in is off. Your recovery codes no longer work."), "success")
    return redirect(url_for("auth.security"), 303)


@bp.post("/account/security/recovery-codes")
@login_required
def regenerate_recovery_codes():
    form = ProofForm(prefix="codes")
    if not form.validate_on_submit():
        return _page(422, codes_form=form)
    try:
        codes = authenticator.regenerate_recovery_codes(current_user._get_current_object(), form.proof.data)
    except (InvalidInput, AccountLocked) as err:
        form.proof.errors = [err.message]
        return _page(err.status, codes_form=form)
    page = render_template("auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.security"))
    return private(page)


@bp.post("/account/security/browsers/<int:device_id>/forget")
@login_required
def forget_browser(device_id: int):
    devices.forget(device_id, by=current_user._get_current_object())
    flash(_("That browser is no longer trusted: it will ask for the second step again."), "success")
    return redirect(url_for("auth.security"), 303)


@bp.post("/account/security/browsers/forget")
@login_required
def forget_browsers():
    devices.forget_all(current_user._get_current_object(), by=current_user._get_current_object())
    flash(_("No browser is trusted any more."), "success")
    return redirect(url_for("auth.security"), 303)


@bp.post("/account/security/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    sessions.revoke(session_id, by=current_user._get_current_object())
    flash(_("That sign-in has ended."), "success")
    return redirect(url_for("auth.security"), 303)


@bp.post("/account/security/sessions/end-others")
@login_required
def end_other_sessions():
    user = current_user._get_current_object()
    ended = sessions.sign_out_everywhere(user, by=user, keep_current=True)
    flash(
        ngettext(
            "Signed out everywhere else: %(num)d session ended. No browser is trusted any more.",
            "Signed out everywhere else: %(num)d sessions ended. No browser is trusted any more.",
            ended,
        ),
        "success",
    )
    return redirect(url_for("auth.security"), 303)
