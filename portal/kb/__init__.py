"""Knowledge base: FAQ articles, manuals with chapters, categories, votes, import, and the drafts
desk (review, versions)."""

from __future__ import annotations


def init_app(app):
    from portal.kb import cli, desk, models, picture_views, search_source, views  # noqa: F401  (desk, picture_views: their routes)
    from portal.kb.labels import HELPERS

    search_source.register_source()
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.import_kb)
    app.cli.add_command(cli.manual)
    app.jinja_env.globals.update(HELPERS)

    @app.context_processor
    def _drafts_nav():
        from flask_login import current_user

        from portal.kb import queries

        if not (current_user.is_authenticated and current_user.has_any_role("curator", "admin")):
            return {}
        # a callable: only the page layout asks for the count, not every htmx fragment
        return {"kb_waiting_for_review": lambda: queries.draft_counts()["review"]}
