"""Account administration: opening, changing and closing accounts, importing many, departments and
regions, API tokens. The web pages and the `portal users …` commands call these same functions.

Each is one unit of work (it joins a caller's): every field is checked before anything is written,
and a refusal names the fields. `by` is the administrator acting (None: the command line, run by
whoever operates the server). Every change computes what it was before and after and records it
(`_audit`), inside the same unit of work, so a change and its record commit together.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts import checking, queries, rules, sheet
from portal.accounts.labels import problem_message, sheet_error_message
from portal.approvals import services as approval_services
from portal.audit import services as audit
from portal.auth import passwords, sessions
from portal.auth import services as auth_services
from portal.auth.models import ApiToken, Department, Region, User, UserRole
from portal.auth.roles import Position
from portal.core import storage
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.core.uow import after_commit, unit_of_work
from portal.extensions import db
from portal.notify.services import notify
from portal.tickets import services as ticket_services

ENGINEER_ROLES = ("engineer", "senior_engineer")


class AccountInputError(InvalidInput):
    """What an administrator typed that cannot be accepted: {field: message}."""


def _audit(
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    target: str,
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
) -> None:
    """The one call site of the audit trail: the record joins this unit of work, so a change and
    its record commit together (or neither)."""
    audit.record(action, actor=actor, subject=subject, target=target, before=before, after=after, detail=detail)


def _end_sessions(user: User, by: User | None) -> int:
    """Every signed-in browser of a closed account ends in the same commit."""
    return sessions.revoke_all(user, by=by, reason="closed")


def _require_admin(by: User | None) -> None:
    if by is not None and not by.has_role(rules.ADMIN):
        raise NotAllowed(_("Only an administrator manages accounts."))


def _target(user: User) -> str:
    return f"user:{user.username}"


def snapshot(user: User) -> dict:
    """An account as the audit trail keeps it."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "department": user.department.code if user.department else None,
        "region": user.region.code if user.region else None,
        "position": user.position,
        "superior": user.superior.username if user.superior else None,
        "roles": user.roles,
        "active": user.active,
    }


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


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
        _require_admin(by)
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
        _audit("user_created", actor=by, subject=user, target=_target(user), after=snapshot(user))
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
        _require_admin(by)
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
    old, new = _changes(before, snapshot(user))
    roles_old, roles_new = old.pop("roles", None), new.pop("roles", None)
    if new:
        _audit("user_updated", actor=by, subject=user, target=_target(user), before=old, after=new)
    if roles_new is not None:
        _audit(
            "roles_changed",
            actor=by,
            subject=user,
            target=_target(user),
            before={"roles": roles_old},
            after={"roles": roles_new},
        )


def set_roles(user: User, roles: list[str], by: User | None) -> User:
    """The roles alone (the command line's `portal users set-roles`)."""
    with unit_of_work():
        _require_admin(by)
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
        _require_admin(by)
        auth_services.unlock(user.username, by=by)  # records account_unlocked
    return user


# --- closing and reopening --------------------------------------------------------------------


@dataclass
class Closed:
    user: User
    successor: User | None
    tickets: list = field(default_factory=list)
    approvals: approval_services.HandOver = field(default_factory=approval_services.HandOver)
    departments: list[Department] = field(default_factory=list)
    reports: list[User] = field(default_factory=list)
    tokens: int = 0
    sessions: int = 0


def _successor_problems(user: User, successor: User | None, inv: queries.Inventory) -> dict[str, str]:
    if successor is None:
        if inv.needs_successor:
            return {
                "successor": _("Name the successor who takes over what %(name)s hands over.", name=user.display_name)
            }
        return {}
    if successor.id == user.id:
        return {"successor": _("The successor must be someone else.")}
    if not successor.active:
        return {"successor": _("The account %(value)s is closed.", value=successor.username)}
    if inv.tickets and not successor.has_any_role(*ENGINEER_ROLES):
        return {
            "successor": _(
                "%(name)s is no engineer, so cannot take over %(n)d open ticket(s).",
                name=successor.display_name,
                n=len(inv.tickets),
            )
        }
    superiors = queries.superior_map()
    for r in inv.reports:
        superiors[r.id] = user.superior_id if r.id == successor.id else successor.id
    for r in inv.reports:
        if rules.superior_problem(superiors, r.id, superiors[r.id]):
            return {
                "successor": _(
                    "%(name)s reports to %(report)s, so %(report)s cannot report to them: that would be a loop.",
                    name=successor.display_name,
                    report=r.display_name,
                )
            }
    return approval_services.hand_over_problems(user, successor)


def close_account(
    user: User, successor: User | None, by: User | None, *, note: str = "", now: datetime | None = None
) -> Closed:
    """Someone leaves: their open tickets, approval steps, delegations received, the departments
    whose approvals they lead and their direct reports go to the successor; the delegations they
    gave end; their API tokens are revoked and their sessions end; the account is closed. One unit
    of work: all of it, or (any refusal) none of it."""
    now = now or utcnow()
    with unit_of_work():
        _require_admin(by)
        if not user.active:
            raise Conflict(_("The account of %(name)s is closed already.", name=user.display_name))
        if by is not None and by.id == user.id:
            raise NotAllowed(_("You cannot close your own account."))
        if user.has_role(rules.ADMIN) and queries.other_active_admins(user.id) == 0:
            raise Conflict(_("%(name)s is the last active administrator.", name=user.display_name))
        inv = queries.inventory(user, now)
        if errors := _successor_problems(user, successor, inv):
            raise AccountInputError(errors)
        note = note.strip()[:300]
        done = Closed(user, successor, departments=list(inv.led), reports=list(inv.reports))
        if successor is not None and inv.tickets:
            done.tickets = ticket_services.hand_over(user, successor, by, note=note, now=now)
        done.approvals = approval_services.hand_over(user, successor, by, now=now)
        for d in inv.led:
            d.division_leader = successor
        for r in inv.reports:
            r.superior = user.superior if successor is not None and r.id == successor.id else successor
        for t in user_tokens_live(user, now):
            t.revoked, t.revoked_at = True, now
            done.tokens += 1
        user.active, user.deactivated_at = False, now
        done.sessions = _end_sessions(user, by)
        if successor is not None and not inv.empty:
            notify(
                successor.id,
                "handover",
                _("%(name)s has left: what they worked on is yours now", name=user.display_name),
                "/tickets/queue?assignee=me" if done.tickets else "/approvals/?box=todo",
                important=True,
                now=now,
            )
        db.session.flush()
        _audit(
            "user_deactivated",
            actor=by,
            subject=user,
            target=_target(user),
            before={"active": True},
            after={"active": False},
            detail=_closing_detail(done, note),
        )
    return done


def _closing_detail(done: Closed, note: str) -> dict:
    return {
        "successor": done.successor.username if done.successor else None,
        "tickets": [t.number for t in done.tickets],
        "approval_steps": [s.request.number for s in done.approvals.steps],
        "delegations_ended": [d.id for d in done.approvals.ended],
        "delegations_passed": [d.id for d in done.approvals.passed],
        "departments": [d.code for d in done.departments],
        "reports": [r.username for r in done.reports],
        "tokens_revoked": done.tokens,
        "sessions_ended": done.sessions,
        "note": note,
    }


def user_tokens_live(user: User, now: datetime) -> list[ApiToken]:
    return [t for t in queries.tokens_of(user.id) if rules.token_state(t.revoked, t.expires_at, now) == "active"]


def reopen_account(user: User, by: User | None) -> User:
    """A closed account signs in again (with its old password; its tokens stay revoked)."""
    with unit_of_work():
        _require_admin(by)
        if user.active:
            raise Conflict(_("The account of %(name)s is open already.", name=user.display_name))
        user.active, user.deactivated_at = True, None
        user.failed_sign_ins, user.failed_since, user.locked_until = 0, None, None
        _audit(
            "user_reactivated",
            actor=by,
            subject=user,
            target=_target(user),
            before={"active": False},
            after={"active": True},
        )
    return user


def end_session(user: User, session_id: int, by: User) -> None:
    """An administrator signs out one of `user`'s browsers (another person's session id: 404)."""
    with unit_of_work():
        _require_admin(by)
        if queries.session_of(user, session_id) is None:
            raise NotFound(_("No such session."))
        sessions.revoke(session_id, by=by)


def end_all_sessions(user: User, by: User) -> int:
    """Sign `user` out everywhere."""
    with unit_of_work():
        _require_admin(by)
        return sessions.sign_out_everywhere(user, by=by)


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
        _require_admin(by)
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
            _audit(f"{kind}_changed", actor=by, target=f"{kind}:{unit.id}", after=after)
        elif before != after:
            old, new = _changes(before, after)
            _audit(f"{kind}_changed", actor=by, target=f"{kind}:{unit.id}", before=old, after=new)
    return unit


# --- API tokens ---------------------------------------------------------------------------------


def create_token(owner: User, label: str, days: int, by: User) -> tuple[str, ApiToken]:
    """A bearer token for `owner` (made by themselves, or an administrator), valid `days` days (0:
    until revoked). The token itself is returned once; only its hash is kept."""
    now = utcnow()
    with unit_of_work():
        if by.id != owner.id:
            _require_admin(by)
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
        _audit("token_created", actor=by, subject=owner, target=f"token:{row.id}", after=_token_snapshot(row))
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
        _audit(
            "token_revoked", actor=by, subject=t.user, target=f"token:{t.id}", before=before, after=_token_snapshot(t)
        )
    return t


# --- importing many ---------------------------------------------------------------------------

STASH_AREA = "account-imports"
STASH_HOURS = 2
_STASH_NAME = re.compile(r"^[0-9a-f]{32}$")


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read."""

    def __init__(self, message: str):
        super().__init__({"file": message})


class ImportRejected(InvalidInput):
    """Some rows have problems: nothing was imported. `report` names each."""

    def __init__(self, report: ImportReport):
        super().__init__(
            {"file": _("Nothing was imported: %(n)d row(s) have problems.", n=len(report.checked.bad_lines))}
        )
        self.report = report


@dataclass
class ImportReport:
    filename: str
    columns: dict[str, str]
    ignored: list[str]
    checked: checking.Checked

    @property
    def ok(self) -> bool:
        return not self.checked.problems

    def messages(self) -> list[str]:
        """'Row N, column: reason' for every problem (the command line prints these)."""
        return [
            _(
                "Row %(row)d, %(column)s: %(reason)s",
                row=p.line,
                column=self.columns.get(p.field) or sheet.HEADER_OF.get(p.field, p.field),
                reason=problem_message(p),
            )
            for p in self.checked.problems
        ]


@dataclass
class Imported:
    users: list[User]
    passwords: list[tuple[User, str]]  # the generated initial passwords, to show once


def check_import(filename: str, data: bytes) -> ImportReport:
    """The dry run: every row checked against the file and the portal; nothing is written."""
    try:
        read = sheet.read(filename, data)
    except sheet.SheetError as err:
        raise ImportFileError(sheet_error_message(err)) from None
    checked = checking.check(read.rows, queries.known_for_import(), auth_services.password_policy())
    return ImportReport(filename, read.columns, read.ignored, checked)


def import_accounts(filename: str, data: bytes, by: User | None) -> Imported:
    """Check the file again and, when no row has a problem, open every account in one unit of work
    (ImportRejected with the report otherwise): all of them, or none."""
    with unit_of_work():
        _require_admin(by)
        report = check_import(filename, data)
        if not report.ok:
            raise ImportRejected(report)
        codes = {
            "department": dict(db.session.execute(select(Department.id, Department.code)).tuples().all()),
            "region": dict(db.session.execute(select(Region.id, Region.code)).tuples().all()),
        }
        made: dict[str, User] = {}
        generated = []
        policy = auth_services.password_policy()
        for a in report.checked.accounts:
            password = a.password or passwords.one_time_password(a.username, policy)
            made[a.username] = auth_services.create_user(
                auth_services.NewUser(
                    username=a.username,
                    password=password,
                    display_name=a.display_name,
                    email=a.email,
                    department=codes["department"].get(a.department_id) if a.department_id else None,
                    region=codes["region"].get(a.region_id) if a.region_id else None,
                    position=a.position,
                    roles=list(a.roles),
                    must_change_password=True,
                )
            )
            if a.password is None:
                generated.append((made[a.username], password))
        for a in report.checked.accounts:  # superiors may be rows further down
            if a.superior:
                made[a.username].superior = made.get(a.superior) or queries.by_username(a.superior)
        db.session.flush()
        for user in made.values():
            _audit(
                "user_created",
                actor=by,
                subject=user,
                target=_target(user),
                after=snapshot(user),
                detail={"import": filename},
            )
        _audit(
            "users_imported",
            actor=by,
            target=f"import:{filename}"[:120],
            detail={"file": filename, "rows": len(made), "users": sorted(made), "generated_passwords": len(generated)},
        )
    return Imported(list(made.values()), generated)


def stash_import(data: bytes) -> str:
    """Keep a checked file until the administrator confirms the import (a few hours at most)."""
    store = storage.area(STASH_AREA)
    _purge_stash(store)
    return store.put(data)


def stashed_import(key: str) -> bytes | None:
    if not _STASH_NAME.match(key or ""):
        return None
    try:
        return storage.area(STASH_AREA).read(key)
    except FileNotFoundError:
        return None


def drop_stash(key: str) -> None:
    if _STASH_NAME.match(key or ""):
        storage.area(STASH_AREA).delete(key)


def import_stashed(key: str, filename: str, by: User | None) -> Imported:
    """The confirmed import of a file the dry run kept; the kept copy goes once it is committed."""
    data = stashed_import(key)
    if data is None:
        raise Conflict(_("The checked file is no longer kept (after %(n)d hours). Check it again.", n=STASH_HOURS))
    with unit_of_work():
        done = import_accounts(filename, data, by)
        after_commit(drop_stash, key)
    return done


def _purge_stash(store) -> None:
    folder = getattr(store, "root", None)
    if folder is None or not folder.is_dir():  # another kind of store keeps its own lifetimes
        return
    cutoff = time.time() - STASH_HOURS * 3600
    for path in folder.glob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
