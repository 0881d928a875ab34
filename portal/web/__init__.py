"""HTTP glue that belongs to no domain: htmx helpers, access decorators, errors, abuse limits, locale."""

from __future__ import annotations


def init_app(app):
    from portal.web import errors, filters, i18n, limits, proxy, safety, views

    safety.init_app(app)  # first: the bounded <int:…> converter must be in place before any route
    proxy.init_app(app)  # the client's address, before anything counts by it
    errors.init_app(app)
    limits.init_app(app)
    filters.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(views.bp)
