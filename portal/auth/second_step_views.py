"""The second step of a sign-in: a code (authenticator, recovery code or e-mail) at /login/verify,
or setting up a required authenticator at /login/enrol. Nobody is signed in until it is passed."""

from __future__ import annotations

import segno
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.auth import authenticator, otp, signin, two_factor
from portal.auth.forms import EnrolForm, VerifyForm
from portal.auth.second_factor import Pending, Step
from portal.auth.services import AccountLocked
from portal.auth.views import bp
from portal.core.errors import DomainError, InvalidInput
from portal.web import limits
from portal.web.safety import safe_next


def private(page: str, status: int = 200):
    """Pages with secrets on them (a QR code, recovery codes): never cached, no referrer."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _start_again():
    flash(_("That sign-in took too long or was already completed. Please sign in again."), "info")
    return redirect(url_for("auth.login"), 303)


def _pending(step: Step | None = None) -> Pending | None:
    p = signin.pending()
    if p is None or (step is not None and p.step is not step) or (step is None and p.step is Step.ENROL):
        return None
    return p


@bp.route("/login/verify", methods=["GET", "POST"])
@limits.sign_in  # wrong codes share the refused sign-ins' allowance of the address
def verify_sign_in():
    p = _pending()
    user = two_factor.pending_user(p) if p is not None else None
    if p is None or user is None:
        signin.drop_pending()
        return _start_again()
    form = VerifyForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            done = two_factor.verify_sign_in(
                p, form.code.data, trust=bool(form.trust.data), user_agent=request.user_agent.string or ""
            )
        except AccountLocked as err:
            signin.drop_pending()
            error, status = err.message, err.status
        except InvalidInput as err:  # a wrong code: counted on the server too
            p = p.after_failure()
            if p.exhausted():
                signin.drop_pending()
                flash(_("Too many wrong codes. Please sign in again."), "error")
                return redirect(url_for("auth.login"), 303)
            signin.save_pending(p)
            form.code.errors = list(err.errors.values())
            status = 422
        except DomainError as err:
            signin.drop_pending()
            error, status = err.message, err.status
        else:
            signin.complete(done.user, remember=p.remember, second_factor=done.method)
            if done.recovery_left is not None:
                flash(
                    ngettext(
                        "You signed in with a recovery code; %(num)d is left. Set up new ones on the security page.",
                        "You signed in with a recovery code; %(num)d are left. Set up new ones on the security page.",
                        done.recovery_left,
                    ),
                    "info",
                )
            response = redirect(safe_next(p.next, url_for("search.home")), 303)
            if done.trust_token:
                signin.set_trust_cookie(response, done.trust_token)
            return response
    elif request.method == "POST":
        status = 422
    page = render_template(
        "auth/verify.html",
        form=form,
        error=error,
        step=p.step.value,
        reason=p.reason,
        email=two_factor.masked_email(user),
        expires_at=p.expires_at(),
    )
    return private(page, status)


@bp.post("/login/verify/resend")
def resend_sign_in_code():
    p = _pending(Step.EMAIL)
    if p is None:
        return _start_again()
    try:
        code_id = two_factor.resend_code(p)
    except DomainError as err:
        flash(err.message, "error")
    else:
        signin.save_pending(p.with_code(code_id))
        flash(_("A new code is on its way. Only the newest code works."), "success")
    return redirect(url_for("auth.verify_sign_in"), 303)


@bp.post("/login/cancel")
def cancel_sign_in():
    signin.drop_pending()
    return redirect(url_for("auth.login"), 303)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limits.sign_in
def enrol_sign_in():
    """Two-factor sign-in is required but not set up: set it up now, then the sign-in completes."""
    p = _pending(Step.ENROL)
    user = two_factor.pending_user(p) if p is not None else None
    if p is None or user is None:
        signin.drop_pending()
        return _start_again()
    form = EnrolForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = authenticator.confirm_enrolment(user, form.code.data)
        except InvalidInput as err:
            form.code.errors = list(err.errors.values())
            status = 422
        else:
            signin.complete(user, remember=p.remember, second_factor="totp_enrolled")
            page = render_template(
                "auth/recovery_codes.html", codes=codes, continue_url=safe_next(p.next, url_for("search.home"))
            )
            return private(page)
    elif request.method == "POST":
        status = 422
    secret = authenticator.enrolment_secret(user)
    page = render_template(
        "auth/enrol.html",
        form=form,
        action=url_for("auth.enrol_sign_in"),
        signing_in=True,
        required_by=authenticator.required_by(user),
        **setup_context(user, secret),
    )
    return private(page, status)


def setup_context(user, secret: str) -> dict:
    """What the set-up page shows: the QR code (an SVG data: image, allowed by the CSP's img-src)
    and the same secret as text for typing in by hand."""
    uri = authenticator.provisioning_uri(user, secret)
    qr = segno.make(uri, error="m")
    return {"qr": qr.svg_data_uri(scale=5, border=2), "secret_text": otp.grouped(secret), "otpauth": uri}
