"""Error pages that match the site, and JSON errors for the API; never a stack trace.

The domain errors themselves live in portal.core.errors; this module only maps them to responses."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from portal.core.errors import DomainError

log = logging.getLogger(__name__)


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in first."),
        403: _("You do not have permission to open this page."),
        404: _("The page you are looking for does not exist or has been removed."),
        405: _("This action is not allowed here."),
        409: _("This action conflicts with the current state. Refresh and try again."),
        413: _("The upload is too large."),
        422: _("Some of the data could not be accepted."),
        429: _("Too many requests. Please wait a moment."),
        500: _("Something went wrong on our side. The error has been logged."),
    }


def number_too_large(err: BaseException) -> bool:
    """SQLite refuses to bind an int beyond 64 bits (OverflowError, which SQLAlchemy wraps);
    PostgreSQL answers "out of range" (SQLSTATE 22003, numeric_value_out_of_range)."""
    orig = getattr(err, "orig", None)
    if isinstance(err, OverflowError) or isinstance(orig, OverflowError):
        return True
    return isinstance(err, DBAPIError) and getattr(orig, "sqlstate", None) == "22003"


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or _messages().get(status) or _("Error")
    if wants_json():
        body = {"error": {"status": status, "code": code or str(status), "message": message}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err):
        return error_response(
            400,
            _("The form has expired. Go back, reload the page and submit again; your text is still in the form."),
            "csrf",
        )

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return error_response(err.status, err.message, "conflict" if err.status == 409 else None)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if err.code and err.code < 400:
            return err
        return error_response(err.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        if number_too_large(err):
            # a number typed into a form or a query beyond what the database holds: the unit of
            # work has rolled back; the request, not the server, is at fault
            return error_response(400, _("A number in the request is too large."))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, None)
