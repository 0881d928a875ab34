"""`portal audit verify` and `portal audit list`."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from portal.audit import queries


@click.group(cls=AppGroup, help="Read and verify the audit trail.")
def audit():
    pass


@audit.command("verify")
def verify():
    """Check every row's hash and its link to the row before; exit 1 at the first break."""
    verdict = queries.verify()
    if verdict.broken is not None:
        what = (
            "was edited"
            if verdict.broken.reason == "edited"
            else "does not follow the row before it (a row is missing or was inserted)"
        )
        raise click.ClickException(f"audit trail broken at event {verdict.broken.id}: it {what}")
    click.echo(f"audit trail intact: {verdict.rows} events, newest hash {verdict.head}")


@audit.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--actor", default="", help="User name of who acted.")
@click.option("--subject", default="", help="User name whose data it was.")
@click.option("--action", default="", help="An action, e.g. view_ticket, sign_in_failed.")
@click.option("--target", default="", help="An object or kind, e.g. ticket:12 or ticket.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
def list_events(as_json: bool, actor: str, subject: str, action: str, target: str, limit: int):
    """The newest events first."""
    filters = queries.Filters(actor=actor, subject=subject, action=action, target=target)
    rows = [queries.as_dict(e) for e in queries.newest(filters, limit)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(
            f"{r['at']}  {r['action']:<22} {r['actor'] or '-':<14} {r['subject'] or '-':<14} {r['target'] or ''}"
        )
