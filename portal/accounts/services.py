"""Account administration: opening and changing accounts, departments and regions, API tokens
(closing: closing.py; importing many: importing.py). The web pages and the `portal users …`
commands call these same functions.

Each is one unit of work (it joins a caller's): every field is checked before anything is written,
and a refusal names the fields. `by` is the administrator acting (None: the command line, run by
whoever operates the server). Every change computes what it was before and after and records it
(`_audit`), inside the same unit of work, so a change and its record commit together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts import queries, rules
from portal.accounts.records import (
    AccountInputError,
    require_admin,
    snapshot,
    target_of,
)
from portal.audit import services as audit
from portal.auth import passwords
from portal.auth import services as auth_services
from portal.auth.models import ApiToken, Department, Region, User, UserRole
from portal.auth.roles import Position
from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.uow import unit_of_work
from portal.extensions import db

# --- opening and changing an account ---------------------------------------------------------


@dataclass
class AccountInput:
    display_name: str = ""
    email: str = ""
    department_id: int | None = None
    region_id: int | None = None
    position: str = Position.STAFF.value
    superior: str = ""  # user name
    roles: list[str] = field(default_factory=list)


@dataclass
class NewAccount(AccountInput):
    username: str = ""
    password: str = ""  # empty: one is generated and shown once


@dataclass
class Opened:
    user: User
    password: str | None  # the generated initial password, to show once; None when typed


@dataclass
class _Resolved:
    department: Department | None = None
    region: Region | None = None
    superior: User | None = None


def _check_fields(data: AccountInput, user: User | None, username: str, errors: dict[str, str]) -> _Resolved:
    out = _Resolved()
    if len(data.display_name.strip()) > rules.DISPLAY_NAME_MAX:
        errors["display_name"] = _("At most %(n)s characters.", n=rules.DISPLAY_NAME_MAX)
    email = data.email.strip()
    if email:
        if not rules.valid_email(email):
            errors["email"] = _("%(value)s is not an e-mail address.", value=email)
        elif (owner := queries.email_owner(email, user.id if user else None)) is not None:
            errors["email"] = _(
                "%(value)s is the e-mail address of %(user)s already.", value=email, user=owner.username
            )
    if data.department_id:
        out.department = db.session.get(Department, data.department_id)
        if out.department is None:
            errors["department_id"] = _("Choose a department from the list.")
    if data.region_id:
        out.region = db.session.get(Region, data.region_id)
        if out.region is None:
            errors["region_id"] = _("Choose a region from the list.")
    if data.position not in tuple(Position):
        errors["position"] = _("Choose a position from the list.")
    if unknown := rules.unknown_roles(data.roles):
        errors["roles"] = _("Unknown role %(value)s.", value=", ".join(unknown))
    name = rules.normal_username(data.superior)
    if name:
        out.superior = queries.by_username(name)
        if out.superior is None:
            errors["superior"] = _("There is no account %(value)s.", value=data.superior.strip())
        elif not out.superior.active:
            errors["superior"] = _("The account %(value)s is closed.", value=out.superior.username)
        elif name == username:
            errors["superior"] = _("Nobody is their own superior.")
        elif user is not None and rules.superior_problem(queries.superior_map(), user.id, out.superior.id):
            errors["superior"] = _(
                "%(name)s reports to %(user)s already, directly or further up: that would be a loop.",
                name=out.superior.display_name,
                user=user.display_name,
            )
    return out


def open_account(data: NewAccount, by: User | None) -> Opened:
    """A new account with an initial password (typed, or generated and returned to show once)."""
    with unit_of_work():
        require_admin(by)
        errors: dict[str, str] = {}
        username = rules.normal_username(data.username)
        if not username:
            errors["username"] = _("Every account needs a user name.")
        elif not rules.valid_username(username):
            errors["username"] = _("Latin letters, digits, '.' and '_' only, at most %(n)s.", n=rules.USERNAME_MAX)
        elif queries.by_username(username) is not None:
            errors["username"] = _("An account %(value)s exists already.", value=username)
        generated = not data.password
        password = (
            passwords.one_time_password(username, auth_services.password_policy()) if generated else data.password
        )
        if not generated and (messages := auth_services.check_password(password, username=username)):
            errors["password"] = " ".join(messages)
        resolved = _check_fields(data, None, username, errors)
        if errors:
            raise AccountInputError(errors)
        user = auth_services.create_user(
            auth_services.NewUser(
                username=username,
                password=password,
                display_name=data.display_name.strip() or username,
                email=data.email.strip() or None,
                department=resolved.department.code if resolved.department else None,
                region=resolved.region.code if resolved.region else None,
                position=data.position,
                superior=resolved.superior.username if resolved.superior else None,
                roles=rules.with_employee(data.roles),
                must_change_password=True,  # chosen by someone else: replaced at the first sign-in
            )
        )
        db.session.flush()
        audit.record("user_created", actor=by, subject=user, target=target_of(user), after=snapshot(user))
    return Opened(user, password if generated else None)


def _set_roles(user: User, roles: list[str], by: User | None) -> None:
    wanted = rules.with_employee(roles)
    problem = rules.role_change_problem(
        by.id if by else None, user.id, user.roles, wanted, queries.other_active_admins(user.id)
    )
    if problem == "own_admin":
        raise AccountInputError({"roles": _("You cannot take away your own administrator role.")})
    if problem == "last_admin":
        raise AccountInputError({"roles": _("%(name)s is the last active administrator.", name=user.display_name)})
    keep = [r for r in user.role_rows if r.role in wanted]
    user.role_rows = keep + [UserRole(role=r) for r in wanted if r not in {k.role for k in keep}]


def change_account(user: User, data: AccountInput, by: User | None) -> User:
    """Name, e-mail, department, region, position, superior and roles, as one change."""
    with unit_of_work():
        require_admin(by)
        before = snapshot(user)
        errors: dict[str, str] = {}
        resolved = _check_fields(data, user, user.username, errors)
        try:
            if not errors:
                _set_roles(user, data.roles, by)
        except AccountInputError as err:
            errors.update(err.errors)
        if errors:
            raise AccountInputError(errors)
        user.display_name = data.display_name.strip() or user.username
        user.email = data.email.strip() or None
        user.department, user.region, user.superior = resolved.department, resolved.region, resolved.superior
        user.position = data.position
        db.session.flush()
        _record_change(user, before, by)
    return user


def _record_change(user: User, before: dict, by: User | None) -> None:
    old, new = audit.changes(before, snapshot(user))
    roles_old, roles_new = old.pop("roles", None), new.pop("roles", None)
    if new:
        audit.record("user_updated", actor=by, subject=user, target=target_of(user), before=old, after=new)
    if roles_new is not None:
        audit.record(
            "roles_changed",
            actor=by,
            subject=user,
            target=target_of(user),
            before={"roles": roles_old},
            after={"roles": roles_new},
        )


def set_roles(user: User, roles: list[str], by: User | None) -> User:
    """The roles alone (the command line's `portal users set-roles`)."""
    with unit_of_work():
        require_admin(by)
        if unknown := rules.unknown_roles(roles):
            raise AccountInputError({"roles": _("Unknown role %(value)s.", value=", ".join(unknown))})
        before = snapshot(user)
        _set_roles(user, roles, by)
        db.session.flush()
        _record_change(user, before, by)
    return user


def unlock(user: User, by: User | None) -> User:
    """End a sign-in lock at once."""
    with unit_of_work():
        require_admin(by)
        auth_services.unlock(user.username, by=by)  # records account_unlocked
    return user


# --- departments and regions ------------------------------------------------------------------


def _check_unit(model, code: str, name: str, current_id: int | None) -> dict[str, str]:
    errors = {}
    if not rules.valid_code(code):
        errors["code"] = _("A code of Latin letters, digits, '.', '_' and '-', at most %(n)s.", n=rules.CODE_MAX)
    elif db.session.scalar(
        select(model.id).where(func.lower(model.code) == code.lower(), model.id != (current_id or 0))
    ):
        errors["code"] = _("The code %(value)s is taken.", value=code)
    if not name:
        errors["name"] = _("Give it a name.")
    elif len(name) > rules.NAME_MAX:
        errors["name"] = _("At most %(n)s characters.", n=rules.NAME_MAX)
    return errors


def _unit_snapshot(unit) -> dict:
    out = {"code": unit.code, "name": unit.name}
    if isinstance(unit, Department):
        out["division_leader"] = unit.division_leader.username if unit.division_leader else None
    return out


def _leader(leader_id: int | None, errors: dict[str, str]) -> User | None:
    if not leader_id:
        return None
    leader = db.session.get(User, leader_id)
    if leader is None or not leader.active:
        errors["division_leader_id"] = _("Choose an active person from the list.")
    return leader


def save_unit(kind: str, unit, code: str, name: str, by: User | None, *, leader_id: int | None = None):
    """Create (`unit` None) or change a department or region (`kind`): code, name and, for a
    department, the division leader who decides its fast-track approvals."""
    model = {"department": Department, "region": Region}[kind]
    with unit_of_work():
        require_admin(by)
        code, name = code.strip(), name.strip()
        errors = _check_unit(model, code, name, unit.id if unit is not None else None)
        leader = _leader(leader_id, errors) if model is Department else None
        if errors:
            raise AccountInputError(errors)
        before = _unit_snapshot(unit) if unit is not None else None
        if unit is None:
            unit = model(code=code, name=name)
            db.session.add(unit)
        unit.code, unit.name = code, name
        if model is Department:
            unit.division_leader = leader
        db.session.flush()
        after = _unit_snapshot(unit)
        if before is None:
            audit.record(f"{kind}_changed", actor=by, target=f"{kind}:{unit.id}", after=after)
        elif before != after:
            old, new = audit.changes(before, after)
            audit.record(f"{kind}_changed", actor=by, target=f"{kind}:{unit.id}", before=old, after=new)
    return unit


# --- API tokens ---------------------------------------------------------------------------------


def create_token(owner: User, label: str, days: int, by: User) -> tuple[str, ApiToken]:
    """A bearer token for `owner` (made by themselves, or an administrator), valid `days` days (0:
    until revoked). The token itself is returned once; only its hash is kept."""
    now = utcnow()
    with unit_of_work():
        if by.id != owner.id:
            require_admin(by)
        label = label.strip()
        errors = {}
        if not label:
            errors["label"] = _("Name the token after what uses it, e.g. 'chat robot'.")
        elif len(label) > rules.TOKEN_LABEL_MAX:
            errors["label"] = _("At most %(n)s characters.", n=rules.TOKEN_LABEL_MAX)
        if days not in (*rules.TOKEN_DAYS, 0):
            errors["days"] = _("Choose a lifetime from the list.")
        if not owner.active:
            errors["label"] = _("The account of %(name)s is closed.", name=owner.display_name)
        if errors:
            raise AccountInputError(errors)
        raw, row = auth_services.issue_token(owner.username, label, expires_at=rules.token_expiry(days, now))
        audit.record("token_created", actor=by, subject=owner, target=f"token:{row.id}", after=_token_snapshot(row))
    return raw, row


def _token_snapshot(t: ApiToken) -> dict:
    return {
        "label": t.label,
        "user": t.user.username,
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "revoked": t.revoked,
    }


def revoke_token(t: ApiToken, by: User | None) -> ApiToken:
    """The owner or an administrator ends a token at once (someone else's is no token of theirs: 404)."""
    with unit_of_work():
        if by is not None and by.id != t.user_id and not by.has_role(rules.ADMIN):
            raise NotFound(_("No such token."))
        if t.revoked:
            return t
        before = _token_snapshot(t)
        t.revoked, t.revoked_at = True, utcnow()
        audit.record(
            "token_revoked", actor=by, subject=t.user, target=f"token:{t.id}", before=before, after=_token_snapshot(t)
        )
    return t
