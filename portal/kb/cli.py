"""`portal import-kb FILE`: bulk upsert of articles from JSONL, CSV or XLSX."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.kb import importer, services
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
        click.echo(f"rejected: {len(bad)} bad row(s); nothing imported (use --skip-bad to import "
                   f"the {len(records)} good row(s))", err=True)
        sys.exit(1)
    counts = services.import_records(records)
    with click.progressbar(length=max(queue.pending(), 1), label="indexing", file=sys.stderr) as bar:
        queue.drain(progress=bar.update)
    click.echo(f"imported {len(records)} row(s): {counts.created} created, {counts.updated} updated, "
               f"{counts.unchanged} unchanged, {len(bad)} skipped")
