"""Importing many accounts from an HR system's .xlsx or .csv: a dry run that names every bad row,
then all accounts in one unit of work or none; the checked file kept briefly until confirmed."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts import checking, queries, sheet
from portal.accounts.labels import problem_message, sheet_error_message
from portal.accounts.records import (
    require_admin,
    snapshot,
    target_of,
)
from portal.audit import services as audit
from portal.auth import passwords
from portal.auth import services as auth_services
from portal.auth.models import Department, Region, User
from portal.core import storage
from portal.core.errors import Conflict, InvalidInput
from portal.core.uow import after_commit, unit_of_work
from portal.extensions import db

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
        require_admin(by)
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
            audit.record(
                "user_created",
                actor=by,
                subject=user,
                target=target_of(user),
                after=snapshot(user),
                detail={"import": filename},
            )
        audit.record(
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
