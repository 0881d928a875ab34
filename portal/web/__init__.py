"""HTTP glue that belongs to no domain: htmx helpers, access decorators, errors, locale."""

from __future__ import annotations


def init_app(app):
    from portal.web import errors, filters, i18n, views

    errors.init_app(app)
    filters.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(views.bp)
