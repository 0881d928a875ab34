"""Certificates: the PDF for its holder (and trainers and administrators), and the verification
page anyone signed in can use to check a code read off a certificate or scanned from its QR code."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.errors import DomainError
from portal.extensions import db
from portal.quiz import certificate as certs
from portal.quiz import certificates, policy
from portal.quiz.labels import certificate_state_label, level_label
from portal.quiz.models import Certificate
from portal.quiz.views import bp
from portal.web.access import login_required, roles_required

MAX_CODE_INPUT = 64  # a pasted line with a URL around it is still refused, not searched


def find(raw: str | None) -> Certificate | None:
    code = certs.normalize_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def may_download(cert: Certificate, user) -> bool:
    return cert.user_id == user.id or policy.is_reviewer(user)


def verify_url(cert: Certificate) -> str:
    return url_for("quiz.verify", code=cert.code, _external=True)


@bp.get("/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    cert = find(code)
    if cert is None or not may_download(cert, current_user):
        abort(404)  # the same answer for "no such code" and "not yours": a guessed code reveals nothing
    pdf = certs.render_pdf(cert, verify_url(cert))
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="{certs.pdf_filename(cert)}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/verify")
@login_required
def verify():
    raw = (request.args.get("code") or "").strip()[:MAX_CODE_INPUT]
    result = None
    if raw:
        cert = find(raw)
        if cert is None:
            result = {"state": "unknown"}
        else:
            user = cert.user
            result = {
                "state": certs.status(cert),
                "cert": cert,
                "holder": user.display_name or user.username,
                "department": user.department.name if user.department else "",
                "level": level_label(cert.level),
                "issued": format_date(cert.issued_at, "long"),
                "valid_until": format_date(cert.expires_at, "long"),
                "may_download": may_download(cert, current_user),
                "may_revoke": policy.is_reviewer(current_user) and not cert.revoked,
            }
    return render_template("quiz/verify.html", code=raw, result=result, status_label=certificate_state_label)


@bp.post("/certificates/<code>/revoke")
@roles_required("trainer")
def revoke(code: str):
    cert = find(code)
    if cert is None:
        abort(404)
    try:
        certificates.revoke(cert, current_user, request.form.get("reason", ""))
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("quiz.verify", code=cert.code)), 303
    flash(_("Certificate %(code)s is revoked.", code=cert.code), "success")
    return redirect(url_for("quiz.verify", code=cert.code))
