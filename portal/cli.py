"""The `portal` command: everything an operator does, on top of Flask's own commands."""

from __future__ import annotations

import os
import sys
import threading

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from portal import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False, help="OA self-service portal.")
def main():
    pass


def _ensure_index() -> None:
    """Create the index, or rebuild it when it was written by an older schema."""
    from portal.search import services
    from portal.search.queue import current_store

    store = current_store()
    if not store.schema_is_current():
        click.echo("search index has an older schema: rebuilding", err=True)
        services.reindex()
    store.ensure()


def _init_database() -> None:
    from flask_migrate import upgrade

    from portal.demo import loader

    upgrade()
    loader.seed_reference_data(echo=click.echo)


@main.command("init")
@with_appcontext
def init():
    """Create or migrate the database, seed the categories, load this and next year's holidays
    and create the search index."""
    _init_database()
    _ensure_index()
    click.echo(f"database ready: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo(f"search index: {current_app.config['SEARCH_INDEX_DIR']}")


@main.command("demo")
@with_appcontext
def demo():
    """init, then load the Chinese demo data (idempotent) and rebuild the index."""
    from portal.demo import loader
    from portal.search import services

    _init_database()
    summary = loader.load_demo(echo=click.echo)
    click.echo(summary)
    total = services.reindex()
    click.echo(f"indexed {total} documents")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", 5000)), help="Default: $PORT or 5000.")
@click.option("--workers", type=int, default=None, help="Job consumer threads.")
@with_appcontext
def serve(host: str, port: int, workers: int | None):
    """Development server plus the in-process job consumer (the embedded setup)."""
    from flask_migrate import upgrade

    from portal.core import jobs
    from portal.search import queue

    app = current_app._get_current_object()
    if "PORTAL_SECURE_COOKIES" not in os.environ:  # plain HTTP: a Secure cookie would never come back
        app.config.update(SECURE_COOKIES=False, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    upgrade()  # the embedded setup migrates itself; a deployment runs `portal db upgrade` once
    _ensure_index()
    jobs.start_consumer(workers or app.config["JOBS_WORKERS"])
    threading.Thread(target=_warm, args=(app,), daemon=True, name="search-warm-up").start()
    if queue.pending():
        queue.kick()  # changes committed before a crash are applied now
    click.echo(f" * OA portal on http://{host}:{port}/", err=True)
    # app.run() refuses to run inside a CLI command; this is what it would call.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def _warm(app) -> None:
    from portal.search.services import warm_up

    with app.test_request_context():
        warm_up()


@main.command("worker")
@click.option("--workers", type=int, default=2, show_default=True)
def worker(workers: int):
    """Run the job consumer alone (production: beside gunicorn, one per deployment for indexing)."""
    from huey.consumer import Consumer

    from portal.core.jobs import huey

    create_app()  # points the queue at the configured storage
    Consumer(huey, workers=workers, worker_type="thread", max_delay=1.0).run()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
