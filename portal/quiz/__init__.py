"""Certification: question bank, timed quizzes, reviewed practical tasks, verifiable certificates."""
from __future__ import annotations


def init_app(app):
    from portal.quiz import bank_views, certificate_views, models, report_views, tasks, views  # noqa: F401

    from portal.quiz.labels import HELPERS

    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(HELPERS)
