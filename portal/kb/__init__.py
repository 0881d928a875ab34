"""Knowledge base: FAQ articles, manuals with chapters, categories, votes and import."""

from __future__ import annotations


def init_app(app):
    from portal.kb import cli, models, picture_views, search_source, views  # noqa: F401

    search_source.register_source()
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.import_kb)
    app.cli.add_command(cli.manual)
