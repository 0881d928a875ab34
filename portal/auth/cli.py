"""`portal users …` and `portal token …`."""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask.cli import AppGroup

from portal.audit import services as audit
from portal.auth import services
from portal.auth.roles import Position, Role
from portal.core.clock import utcnow
from portal.core.errors import InvalidInput
from portal.core.uow import unit_of_work
from portal.extensions import db


@click.group(cls=AppGroup, help="Manage user accounts.")
def users():
    pass


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_users(as_json: bool):
    rows = [services.user_summary(u) for u in services.list_users()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(
            f"{r['username']:<16} {r['display_name']:<8} {','.join(r['roles']):<32} "
            f"{r['department'] or '-':<10} {r['region'] or '-':<10} {r['position']:<16} "
            f"{r['superior'] or '-'}"
        )


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--display-name", default="")
@click.option("--email")
@click.option("--department", help="Department code.")
@click.option("--region", help="Region code.")
@click.option("--position", type=click.Choice([p.value for p in Position]), default="staff")
@click.option("--superior", help="Username of the direct superior.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles; employee is always given.",
)
@click.option(
    "--must-change/--no-must-change",
    "must_change_password",
    default=True,
    show_default=True,
    help="The person must replace this initial password at the first sign-in.",
)
def create_user(**kw):
    spec = services.NewUser(**{**kw, "roles": list(kw["roles"])})
    try:
        with unit_of_work():  # the account and its record in the audit trail, together
            user = services.create_user(spec)
            db.session.flush()
            after = services.user_summary(user)
            audit.record("user_created", subject=user, target=f"user:{user.username}", after=after)
    except services.AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"created {user.username} ({', '.join(user.roles)})")


@users.command("unlock")
@click.argument("username")
def unlock_user(username: str):
    """End a sign-in lock (after too many wrong passwords) at once."""
    try:
        user = services.unlock(username)
    except services.AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"unlocked {user.username}")


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--must-change/--no-must-change",
    default=True,
    show_default=True,
    help="The person must replace it at the next sign-in.",
)
def set_password(username: str, password: str, must_change: bool):
    """Set a password (under the policy: strength, not one of the last ones)."""
    try:
        user = services.user_by_name(username)
        services.set_password(user, password, by=None, initial=must_change)
    except InvalidInput as err:
        raise click.ClickException(err.message) from None
    click.echo(f"password of {user.username} set" + (" (to be changed at the next sign-in)" if must_change else ""))


@users.command("reset-password")
@click.argument("username")
def reset_password(username: str):
    """Issue a one-time initial password (printed once); every session of the user ends and the
    password must be changed at the next sign-in."""
    try:
        user = services.user_by_name(username)
        click.echo(services.reset_password(user, by=None))
    except InvalidInput as err:
        raise click.ClickException(err.message) from None


@click.group(cls=AppGroup, help="Manage API bearer tokens.")
def token():
    pass


@token.command("create")
@click.option("--username", required=True)
@click.option("--label", default="", help="What the token is for, e.g. 'chat robot'.")
@click.option("--days", type=click.IntRange(min=0), default=0, help="Expires after this many days (0: never).")
def create_token(username: str, label: str, days: int):
    expires_at = utcnow() + timedelta(days=days) if days else None
    try:
        with unit_of_work():
            raw, row = services.issue_token(username, label, expires_at=expires_at)
            after = {
                "label": label,
                "user": row.user.username,
                "expires_at": expires_at.isoformat() if expires_at else None,
            }
            audit.record("token_created", subject=row.user, target=f"token:{row.id}", after=after)
    except services.AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(raw)
