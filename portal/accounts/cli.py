"""`portal users import | deactivate | reactivate | set-roles | tokens …`: the administration pages'
services from the command line (attached to portal.auth's `users` group)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from portal.accounts import closing, importing, queries, rules, services
from portal.auth import authenticator
from portal.auth.models import User
from portal.auth.roles import Role
from portal.core.clock import utcnow
from portal.core.errors import DomainError


def _user(username: str) -> User:
    user = queries.by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _fail(err: DomainError):
    raise click.ClickException(err.message) from None


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; create nothing.")
def import_users(file: Path, dry_run: bool):
    """Open the accounts listed in an .xlsx or .csv file (UTF-8 or GBK): all of them or, when any
    row has a problem, none. Generated initial passwords are printed once."""
    data = file.read_bytes()
    try:
        report = importing.check_import(file.name, data)
        if report.ok and not dry_run:
            done = importing.import_accounts(file.name, data, None)
    except importing.ImportRejected as err:
        report = err.report
    except DomainError as err:
        _fail(err)
    for message in report.messages():
        click.echo(f"{file.name}: {message}", err=True)
    if report.ignored:
        click.echo(f"ignored column(s): {', '.join(report.ignored)}", err=True)
    if not report.ok:
        click.echo(f"rejected: {len(report.checked.bad_lines)} bad row(s); nothing imported", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"ok: {len(report.checked.accounts)} account(s) would be opened")
        return
    for user, password in done.passwords:
        click.echo(f"{user.username}\t{password}")
    click.echo(f"imported {len(done.users)} account(s); {len(done.passwords)} generated password(s) above", err=True)


@click.command("deactivate")
@click.argument("username")
@click.option("--successor", help="Who takes over open tickets, approval steps, delegations and reports.")
@click.option("--note", default="", help="A note for the tickets' ledgers.")
def deactivate(username: str, successor: str | None, note: str):
    """Close an account on leaving, handing everything to the successor in one step."""
    user = _user(username)
    heir = _user(successor) if successor else None
    try:
        done = closing.close_account(user, heir, None, note=note)
    except DomainError as err:
        _fail(err)
    click.echo(
        f"closed {user.username}: {len(done.tickets)} ticket(s), {len(done.approvals.steps)} approval step(s), "
        f"{len(done.approvals.passed)} delegation(s) passed and {len(done.approvals.ended)} ended, "
        f"{len(done.departments)} department(s), {len(done.reports)} report(s) to "
        f"{heir.username if heir else '-'}; {done.tokens} token(s) revoked"
    )


@click.command("reactivate")
@click.argument("username")
def reactivate(username: str):
    """Open a closed account again (its tokens stay revoked)."""
    user = _user(username)
    try:
        closing.reopen_account(user, None)
    except DomainError as err:
        _fail(err)
    click.echo(f"reactivated {user.username}")


@click.command("set-roles")
@click.argument("username")
@click.argument("roles", nargs=-1, type=click.Choice([r.value for r in Role]))
def set_roles(username: str, roles: tuple[str, ...]):
    """Give exactly these roles (employee is always kept)."""
    user = _user(username)
    try:
        services.set_roles(user, list(roles), None)
    except DomainError as err:
        _fail(err)
    click.echo(f"{user.username}: {', '.join(user.roles)}")


@click.command("two-factor")
@click.argument("username")
@click.option("--require/--waive", default=None, help="Require two-factor sign-in of this account, or stop.")
@click.option("--reset", is_flag=True, help="Remove the account's authenticator and recovery codes (a lost phone).")
def two_factor(username: str, require: bool | None, reset: bool):
    """Require two-factor sign-in of one account, stop requiring it, or reset its authenticator."""
    user = _user(username)
    if require is None and not reset:
        raise click.UsageError("give --require, --waive or --reset")
    if require is not None:
        authenticator.require_two_factor(user, require, by=None)
    if reset:
        authenticator.reset_two_factor(user, by=None)
    state = authenticator.status(user)
    click.echo(
        f"{user.username}: two-factor {'on' if state.enrolled else 'off'}, required by {state.required_by or 'nobody'}"
    )


@click.group("tokens", help="API tokens of every account.")
def tokens():
    pass


@tokens.command("list")
@click.option("--user", "username", help="Only this account's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_tokens(username: str | None, as_json: bool):
    now = utcnow()
    rows = [
        {
            "id": t.id,
            "user": t.user.username,
            "label": t.label,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "state": rules.token_state(t.revoked, t.expires_at, now),
        }
        for t in queries.all_tokens(username)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(
            f"{r['id']:>5} {r['user']:<16} {r['label'] or '-':<20} {r['state']:<8} "
            f"expires {r['expires_at'] or 'never'}  last used {r['last_used_at'] or 'never'}"
        )


@tokens.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id: int):
    token = queries.token(token_id)
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    services.revoke_token(token, None)
    click.echo(f"revoked token {token.id} ({token.label or '-'}) of {token.user.username}")


COMMANDS = (import_users, deactivate, reactivate, set_roles, two_factor, tokens)


def attach(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
