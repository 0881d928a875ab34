"""Search: analysis, the Whoosh index and its single writer, queries, snippets."""

from __future__ import annotations


def init_app(app):
    from portal.search import cli, curation, models, tasks, views  # noqa: F401  (they register)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.search)
