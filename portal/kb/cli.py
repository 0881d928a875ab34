"""`portal import-kb FILE`: bulk upsert of articles from JSONL, CSV or XLSX; `portal manual`:
manual editions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from portal.core.errors import DomainError
from portal.kb import editions, importer, queries, services
from portal.search import queue


@click.command("import-kb")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some rows are bad.")
def import_kb(file: Path, skip_bad: bool):
    """Import articles (columns external_id, title, body, category, kind) and index them."""
    try:
        records, bad = importer.parse(file.name, file.read_bytes())
    except importer.ImportFileError as err:
        raise click.ClickException(str(err)) from None
    for row in bad:
        click.echo(f"{file.name}:{row.line}: {row.reason}", err=True)
    if bad and not skip_bad:
        click.echo(
            f"rejected: {len(bad)} bad row(s); nothing imported (use --skip-bad to import "
            f"the {len(records)} good row(s))",
            err=True,
        )
        sys.exit(1)
    counts = services.import_records(records)
    with click.progressbar(length=max(queue.pending(), 1), label="indexing", file=sys.stderr) as bar:
        queue.drain(progress=bar.update)
    click.echo(
        f"imported {len(records)} row(s): {counts.created} created, {counts.updated} updated, "
        f"{counts.unchanged} unchanged, {len(bad)} skipped"
    )


@click.group("manual", cls=AppGroup, help="Manual editions: list them, copy a new one, publish one.")
def manual():
    pass


def _title(title: str | None) -> str:
    """The manual's title: the one given, or the only one there is."""
    titles = queries.manual_titles()
    if title is not None:
        if title not in titles:
            raise click.ClickException(f"no manual titled {title!r}")
        return title
    if len(titles) != 1:
        raise click.ClickException("name the manual with --title: " + (", ".join(titles) or "there is none"))
    return titles[0]


@manual.command("list", help="Every edition of every manual, newest first.")
def list_editions():
    for m in queries.manuals_by_title():
        for e in editions.editions_of(m):
            click.echo(
                f"{e.id}\t{e.title}\t{e.edition}\t{editions.state(e)}\t{e.released_on or ''}"
                f"\t{len(e.chapters)} chapters"
            )


@manual.command("new-edition", help="Copy the current edition's chapters into a new draft edition.")
@click.option("--edition", required=True, help="The new edition's name, e.g. 2027Q1.")
@click.option("--title", default=None, help="The manual (needed when there are several).")
@click.option("--publish", is_flag=True, help="Make the copy the current edition at once.")
def new_edition(edition: str, title: str | None, publish: bool):
    title = _title(title)
    source = editions.current_of(title)
    if source is None:
        raise click.ClickException(f"{title!r} has no current edition to copy")
    try:
        copy = services.new_edition(source, edition)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(
        f"edition {copy.edition} of {title}: {len(copy.chapters)} chapters copied from "
        f"{source.edition} (manual {copy.id}, draft)"
    )
    if publish:
        _publish(copy)


@manual.command("publish", help="Make an edition the current one (search uses it by default).")
@click.option("--edition", required=True)
@click.option("--title", default=None, help="The manual (needed when there are several).")
def publish(edition: str, title: str | None):
    title = _title(title)
    target = editions.find(edition, title)
    if target is None:
        raise click.ClickException(f"{title!r} has no edition {edition!r}")
    _publish(target)


def _publish(target) -> None:
    services.publish_edition(target)
    queue.drain()  # the job may run elsewhere: the command ends with the index up to date
    click.echo(f"edition {target.edition} of {target.title} is current")
