"""`portal calendar sync` and `portal calendar status`: the working calendar from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.core import calendar_days
from portal.core.errors import InvalidInput
from portal.tickets import calendar_admin


@click.group(cls=AppGroup, help="The working calendar: holidays and make-up working days (调休).")
def calendar():
    pass


def _describe(r: calendar_days.SyncResult) -> str:
    line = (
        f"{r.year}: from {r.source}: {r.added} added, {r.changed} changed, {r.removed} removed"
        f", {r.kept} kept as administrators entered them"
    )
    if not r.official:
        line += (
            f"\n  estimated: the package has no State Council notice for {r.year}, so it has no make-up"
            " working days (调休) for it; compare with the notice, enter what differs on the calendar page"
            " and mark the year checked, or update the package and sync again"
        )
    return line


@calendar.command("sync")
@click.option("--year", "years", type=int, multiple=True, help="A year to load (again); default: this and next year.")
def sync(years: tuple[int, ...]):
    """Load China's public holidays and 调休 days from the holidays package (safe to run again;
    administrators' own entries are never changed)."""
    for year in years or calendar_admin.this_and_next_year():
        try:
            click.echo(_describe(calendar_admin.sync_year(None, year)))
        except InvalidInput as err:
            raise click.ClickException(f"{year}: {err.message}") from None


@calendar.command("status")
def status():
    """The years loaded, and whether they cover the look-ahead; exit 1 when they do not."""
    for y in calendar_days.loaded_years():
        trust = "official" if y.official else ("checked by an administrator" if y.checked_at else "estimated")
        click.echo(f"{y.year}: {y.source}, {trust}, synced {y.synced_at:%Y-%m-%d %H:%M} UTC")
    cov = calendar_admin.reach()
    if cov.complete:
        click.echo(f"covered until {cov.until.isoformat()}")
        return
    gaps = [f"{y} missing" for y in cov.missing] + [f"{y} estimated" for y in cov.estimated]
    raise click.ClickException(f"the calendar does not cover the days until {cov.until.isoformat()}: {', '.join(gaps)}")
