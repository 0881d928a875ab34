"""API tokens: administrators see and revoke everyone's; everyone makes and revokes their own
(the token itself is shown once, right after it is made)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import queries, services
from portal.accounts.blueprint import bp
from portal.accounts.forms import TokenForm
from portal.accounts.views import show_errors
from portal.core.clock import utcnow
from portal.core.errors import DomainError
from portal.web.access import login_required, roles_required
from portal.web.request import parse_page
from portal.web.safety import safe_next

PAGE_SIZE = 30


@bp.get("/admin/tokens")
@roles_required("admin")
def all_tokens():
    q = (request.args.get("q") or "").strip()[:80]
    state = request.args.get("state") if request.args.get("state") in queries.TOKEN_STATES else ""
    rows = queries.tokens_page(q, state, parse_page(request.args.get("page")), PAGE_SIZE)
    args = {k: v for k, v in {"q": q, "state": state}.items() if v}
    return render_template("accounts/tokens.html", rows=rows, q=q, state=state, pager_args=args, now=utcnow())


@bp.post("/admin/tokens/<int:token_id>/revoke")
@roles_required("admin")
def revoke_token(token_id: int):
    token = queries.token(token_id) or abort(404)
    services.revoke_token(token, current_user)
    flash(_("The token %(label)s of %(name)s is revoked.", label=token.label, name=token.user.display_name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.all_tokens")), 303)


def _mine(form: TokenForm, status: int = 200, created: tuple | None = None):
    return render_template(
        "accounts/my_tokens.html",
        form=form,
        tokens=queries.tokens_of(current_user.id),
        created=created,
        now=utcnow(),
    ), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def my_tokens():
    form = TokenForm()
    form.fill_choices()
    if request.method == "GET":
        return _mine(form)
    if not form.validate_on_submit():
        return _mine(form, 422)
    try:
        raw, row = services.create_token(current_user, form.label.data, form.days.data, current_user)
    except DomainError as err:
        show_errors(form, err, "label")
        return _mine(form, err.status)
    fresh = TokenForm(formdata=None)
    fresh.fill_choices()
    return _mine(fresh, 201, created=(raw, row))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_my_token(token_id: int):
    token = queries.token(token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)  # someone else's token is no token of yours
    services.revoke_token(token, current_user)
    flash(_("The token %(label)s is revoked; it no longer signs in.", label=token.label), "success")
    return redirect(url_for("accounts.my_tokens"), 303)
