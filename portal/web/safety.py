"""Request safety every route shares: local-only redirects, input that cannot reach the database
as a 500 (NUL bytes, lone surrogates, JSON nested past reason or with integers beyond 64 bits),
path integers in range, and the security headers of every response."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

INT_MAX = 2**63 - 1  # the database's BIGINT; SQLite and PostgreSQL refuse anything larger
JSON_MAX_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CSP = "; ".join(
    [
        "default-src 'self'",
        # every script is a file under static/; an inline one runs only with this response's nonce
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",  # htmx adds its indicator styles inline
        "img-src 'self' data:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths may be redirected to (no open redirect, no header splitting)."""
    if not target or _CONTROL.search(target) or "\n" in target or "\r" in target or "\t" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


class BoundedInt(IntegerConverter):
    """`<int:…>` in a URL: a number beyond the database's integers is no page (404), not a 500."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def refused_text(value: str) -> bool:
    """Text no database column can keep: NUL bytes and lone surrogates."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_json(value: Any, depth: int = 0) -> None:
    if depth > JSON_MAX_DEPTH:
        raise ValueError("JSON nested too deeply")
    if isinstance(value, str):
        if refused_text(value) or _CONTROL.search(value):
            raise ValueError("JSON text with control characters or lone surrogates")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > INT_MAX:
            raise ValueError("JSON integer out of range")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


class CheckedJSON(DefaultJSONProvider):
    """Request bodies that a service could not store are refused as malformed JSON (a 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _check_json(value)
        return value


def _check_request_values() -> None:
    # Long digit strings are not refused here: a 20-digit invoice number is ordinary text. A
    # number too large for the database is refused where it meets it (web/errors.py: 400).
    sources = [request.args]
    if request.method in ("POST", "PUT", "PATCH"):
        sources.append(request.form)
    for values in sources:
        for key, value in values.items(multi=True):
            if refused_text(key) or refused_text(value):
                abort(400)


def csp_nonce() -> str:
    """This response's script nonce: `<script nonce="{{ csp_nonce() }}">` in a template."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.json = CheckedJSON(app)
    app.before_request(_check_request_values)
    app.after_request(_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
