"""`portal users …` and `portal token …`."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from portal.auth import services
from portal.auth.roles import Position, Role
from portal.core.errors import InvalidInput


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
        user = services.create_user(spec)
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
def create_token(username: str, label: str):
    try:
        click.echo(services.create_token(username, label))
    except services.AccountError as err:
        raise click.ClickException(err.message) from None
