"""Certification: question bank, timed quizzes, reviewed practical tasks, verifiable certificates."""

from __future__ import annotations


def init_app(app):
    # importing the rooms registers their routes, models and jobs
    from portal.core.clock import utcnow
    from portal.quiz import bank_views, certificate_views, definition_views, models, report_views, tasks, views  # noqa: F401
    from portal.quiz.labels import HELPERS

    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(HELPERS, now_utc=utcnow)

    @app.context_processor
    def _quiz_search():
        from flask_login import current_user

        from portal.quiz import shortcuts

        return {"quiz_shortcuts": shortcuts} if current_user.is_authenticated else {}

    @app.context_processor
    def _quiz_nav():
        from flask_login import current_user

        from portal.quiz import policy, reviewing

        if not current_user.is_authenticated or not policy.is_reviewer(current_user):
            return {}
        return {"quiz_reviews": reviewing.pending_review_count}
