"""Certification: question bank, timed quizzes, reviewed practical tasks, verifiable certificates."""
from __future__ import annotations


def init_app(app):
    from portal.quiz import bank_views, certificate_views, models, report_views, views  # noqa: F401

    app.register_blueprint(views.bp)
