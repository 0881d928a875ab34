"""`portal search reindex` and `portal search check`."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

from portal.search import queue, services


@click.group(cls=AppGroup, help="Maintain the search index.")
def search():
    pass


def progress_bar(label: str, length: int):
    return click.progressbar(length=max(length, 1), label=label, file=sys.stderr, show_pos=True, show_eta=True)


@search.command("reindex", help="Rebuild the whole index into a fresh directory and swap it in.")
@click.option("--procs", default=1, show_default=True, help="Indexing processes.")
def reindex(procs: int):
    from portal.search import documents

    length = sum(sum(1 for _ in s.stamps()) for s in documents.sources())
    started = time.perf_counter()
    with progress_bar("indexing", length) as bar:
        total = services.reindex(progress=bar.update, procs=procs)
    elapsed = time.perf_counter() - started
    click.echo(f"indexed {total} documents in {elapsed:.1f}s ({total / max(elapsed, 1e-9):.0f} docs/s)")


@search.command("check", help="Report drift between database and index; --repair fixes it.")
@click.option("--repair/--report-only", default=True, show_default=True)
def check(repair: bool):
    drift = services.check(repair=repair)
    click.echo(
        f"checked {drift.checked} documents: {len(drift.missing)} missing, "
        f"{len(drift.stale)} stale, {len(drift.orphaned)} orphaned"
        + (" (repaired)" if repair and not drift.clean else "")
    )
    for label, keys in (("missing", drift.missing), ("stale", drift.stale), ("orphaned", drift.orphaned)):
        for key in keys[:20]:
            click.echo(f"  {label}: {key}")
    if not repair and not drift.clean:
        sys.exit(1)


@search.command("drain", help="Apply queued index updates now.")
def drain():
    click.echo(f"applied {queue.drain()} queued updates")
