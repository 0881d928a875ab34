"""Administrators' user pages: the list with search and filters, a new account, an account's page
(its fields, roles, tokens), closing it on leaving with the hand-over, reopening, unlocking."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import closing, queries, records, rules, services
from portal.accounts.blueprint import bp
from portal.accounts.forms import AccountForm, CloseForm, NewAccountForm
from portal.audit import services as audit
from portal.auth import authenticator
from portal.auth import services as auth_services
from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import DomainError
from portal.web.access import roles_required
from portal.web.htmx import render
from portal.web.request import parse_page

PAGE_SIZE = 25


def load_user_or_404(user_id: int) -> User:
    return queries.get_user(user_id) or abort(404)


def show_errors(form, err: DomainError, default: str) -> None:
    """A refusal beside the field it is about (or above the form): nothing typed is lost."""
    for name, message in (getattr(err, "errors", None) or {default: err.message}).items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


@bp.get("/admin/users")
@roles_required("admin")
def list_users():
    f = queries.UserFilter.from_args(request.args)
    rows = queries.users_page(f, parse_page(request.args.get("page")), PAGE_SIZE)
    return render(
        "accounts/users.html",
        "accounts/_user_rows.html",
        rows=rows,
        filters=f,
        pager_args=f.args(),
        departments=queries.department_list(),
        regions=queries.region_list(),
        roles=rules.ROLES,
    )


def _account_input(form: AccountForm) -> services.AccountInput:
    return services.AccountInput(
        display_name=form.display_name.data or "",
        email=form.email.data or "",
        department_id=form.department_id.data or None,
        region_id=form.region_id.data or None,
        position=form.position.data or "staff",
        superior=form.superior.data or "",
        roles=list(form.roles.data or []),
    )


def _choices(form) -> None:
    form.fill_choices(queries.department_list(), queries.region_list())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = NewAccountForm()
    _choices(form)
    if request.method == "GET":
        form.roles.data = ["employee"]
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        typing = form.password_mode.data == "type"
        typed = (form.password.data or "") if typing else ""
        if typing and not typed:
            form.password.errors = [_("Type the initial password, or let the portal generate one.")]
        else:
            data = services.NewAccount(**vars(_account_input(form)), username=form.username.data, password=typed)
            try:
                opened = services.open_account(data, current_user)
            except DomainError as err:
                show_errors(form, err, "username")
                status = err.status
            else:
                if opened.password:
                    return render_template(
                        "accounts/opened.html", user=opened.user, password=opened.password, reset=False
                    )
                flash(_("The account %(name)s is open.", name=opened.user.username), "success")
                return redirect(url_for("accounts.show_user", user_id=opened.user.id), 303)
    return render_template(
        "accounts/new_user.html",
        form=form,
        people=queries.active_people(),
        rules=[r for r in auth_services.password_rules() if r[0] != "reused"],  # a new account has no history
    ), status


def _user_page(user: User, form: AccountForm, status: int = 200):
    return render_template(
        "accounts/user.html",
        user=user,
        form=form,
        people=queries.active_people(),
        tokens=queries.tokens_of(user.id),
        sessions=queries.open_sessions(user),
        two_factor=authenticator.status(user),
        now=utcnow(),
    ), status


@bp.get("/admin/users/<int:user_id>")
@roles_required("admin")
def show_user(user_id: int):
    user = load_user_or_404(user_id)
    audit.record_view("view_profile", actor=current_user, subject=user, target=f"user:{user.username}")
    form = AccountForm(obj=user)
    _choices(form)
    form.department_id.data = user.department_id or 0
    form.region_id.data = user.region_id or 0
    form.superior.data = user.superior.username if user.superior else ""
    form.roles.data = user.roles
    return _user_page(user, form)


@bp.post("/admin/users/<int:user_id>")
@roles_required("admin")
def edit_user(user_id: int):
    user = load_user_or_404(user_id)
    form = AccountForm()
    _choices(form)
    status = 422
    if form.validate_on_submit():
        try:
            services.change_account(user, _account_input(form), current_user)
        except DomainError as err:
            show_errors(form, err, "display_name")
            status = err.status
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.show_user", user_id=user.id), 303)
    return _user_page(user, form, status)


@bp.route("/admin/users/<int:user_id>/close", methods=["GET", "POST"])
@roles_required("admin")
def close_user(user_id: int):
    user = load_user_or_404(user_id)
    form = CloseForm()
    status = 422 if request.method == "POST" else 200
    if user.active and form.validate_on_submit():
        name = (form.successor.data or "").strip()
        successor = queries.by_username(name) if name else None
        try:
            if name and successor is None:
                raise records.AccountInputError({"successor": _("There is no account %(value)s.", value=name)})
            done = closing.close_account(user, successor, current_user, note=form.note.data or "")
        except DomainError as err:
            show_errors(form, err, "successor")
            status = err.status
        else:
            flash(_closed_message(done), "success")
            return redirect(url_for("accounts.show_user", user_id=user.id), 303)
    elif not user.active and request.method == "POST":
        status = 409
        flash(_("The account of %(name)s is closed already.", name=user.display_name), "error")
    return render_template(
        "accounts/close.html",
        user=user,
        form=form,
        inventory=queries.inventory(user) if user.active else None,
        people=queries.active_people(),
    ), status


def _closed_message(done: closing.Closed) -> str:
    message = _(
        "The account of %(name)s is closed; %(tokens)d API token(s) revoked, %(sessions)d browser(s) signed out.",
        name=done.user.display_name,
        tokens=done.tokens,
        sessions=done.sessions,
    )
    if done.successor is not None:
        message += " " + _(
            "%(successor)s took over %(tickets)d ticket(s), %(steps)d approval step(s), %(delegations)d "
            "delegation(s), %(departments)d department(s) and %(reports)d direct report(s).",
            successor=done.successor.display_name,
            tickets=len(done.tickets),
            steps=len(done.approvals.steps),
            delegations=len(done.approvals.passed),
            departments=len(done.departments),
            reports=len(done.reports),
        )
    return message


@bp.post("/admin/users/<int:user_id>/reopen")
@roles_required("admin")
def reopen_user(user_id: int):
    user = load_user_or_404(user_id)
    try:
        closing.reopen_account(user, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        message = _("The account of %(name)s is open again. Its API tokens stay revoked.", name=user.display_name)
        flash(message, "success")
    return redirect(url_for("accounts.show_user", user_id=user.id), 303)


@bp.post("/admin/users/<int:user_id>/reset-password")
@roles_required("admin")
def reset_user_password(user_id: int):
    """A one-time initial password, shown once; every session of the user ends."""
    user = load_user_or_404(user_id)
    if not user.active:
        flash(_("The account of %(name)s is closed; reopen it first.", name=user.display_name), "error")
        return redirect(url_for("accounts.show_user", user_id=user.id), 303)
    password = auth_services.reset_password(user, by=current_user)
    return render_template("accounts/opened.html", user=user, password=password, reset=True)


@bp.post("/admin/users/<int:user_id>/two-factor")
@roles_required("admin")
def two_factor_user(user_id: int):
    """Require two-factor sign-in of this account, stop requiring it, or remove its authenticator."""
    user = load_user_or_404(user_id)
    action = request.form.get("do", "")
    if action == "require":
        authenticator.require_two_factor(user, True, by=current_user)
        flash(_("%(name)s must now sign in with an authenticator app.", name=user.display_name), "success")
    elif action == "waive":
        authenticator.require_two_factor(user, False, by=current_user)
        flash(
            _(
                "Two-factor sign-in is no longer required of %(name)s by this account's setting.",
                name=user.display_name,
            ),
            "success",
        )
    elif action == "reset":
        authenticator.reset_two_factor(user, by=current_user)
        flash(
            _(
                "The authenticator of %(name)s is removed; a new one is set up at the next sign-in if required.",
                name=user.display_name,
            ),
            "success",
        )
    else:
        abort(400)
    return redirect(url_for("accounts.show_user", user_id=user.id, _anchor="two-factor"), 303)


@bp.post("/admin/users/<int:user_id>/unlock")
@roles_required("admin")
def unlock_user(user_id: int):
    user = load_user_or_404(user_id)
    services.unlock(user, current_user)
    flash(_("%(name)s can sign in again at once.", name=user.display_name), "success")
    return redirect(url_for("accounts.show_user", user_id=user.id), 303)


@bp.post("/admin/users/<int:user_id>/sessions/<int:session_id>/end")
@roles_required("admin")
def end_user_session(user_id: int, session_id: int):
    user = load_user_or_404(user_id)
    closing.end_session(user, session_id, current_user)
    flash(_("That browser of %(name)s is signed out.", name=user.display_name), "success")
    return redirect(url_for("accounts.show_user", user_id=user.id, _anchor="sessions"), 303)


@bp.post("/admin/users/<int:user_id>/sessions/end-all")
@roles_required("admin")
def end_all_user_sessions(user_id: int):
    user = load_user_or_404(user_id)
    ended = closing.end_all_sessions(user, current_user)
    flash(_("%(name)s is signed out everywhere (%(n)d browser(s)).", name=user.display_name, n=ended), "success")
    return redirect(url_for("accounts.show_user", user_id=user.id, _anchor="sessions"), 303)
