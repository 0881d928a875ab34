"""Abuse limits per client: the one Flask-Limiter instance, the named limits views wear, the
search log's write allowance, and the 429 answer.

    @bp.route("/login", methods=["GET", "POST"])
    @limits.sign_in            # refused sign-ins per address
    def login(): ...

Named limits (each a config key holding "N per minute; M per hour"): `sign_in` (POST, counts only
refused attempts, so an office behind one address can still sign in at nine), `password_reset`
(POST), `search` (the search page with a query and the search API share one allowance),
`suggest` (completion, web and API), `api` (put on the API blueprint: every /api/v1 call of an
address together). The counters live in memory (one process, the embedded setup) or in Redis
when RATELIMIT_STORAGE_URI or REDIS_URL names one, so several workers share them; while Redis is
unreachable the limits go on in each process's memory and no request fails because of it.

Clients are told apart by `request.remote_addr`; behind a reverse proxy set PORTAL_PROXY_FIX
(portal/web/proxy.py), or every visitor shares the proxy's address and its allowance.

The limiter is one module-level object because the decorators are applied at import time; it
serves the application initialised last, which is the only one in a process outside tests.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app, has_request_context, make_response, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from limits import parse_many

from portal.web.errors import error_response

log = logging.getLogger(__name__)

NAMED = (
    "RATELIMIT_SIGN_IN",
    "RATELIMIT_PASSWORD_RESET",
    "RATELIMIT_SEARCH",
    "RATELIMIT_SUGGEST",
    "RATELIMIT_API",
    "RATELIMIT_SEARCH_LOG",
)
REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}  # a dead Redis costs a second, not a hang


def client_address() -> str:
    """The client's address as the limits count it (ProxyFix has corrected it when configured)."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address)


def _configured(key: str):
    return lambda: current_app.config[key]


def _refused(response) -> bool:
    return response.status_code >= 400


def _without_query() -> bool:
    return not request.args.get("q", "").strip()


sign_in = limiter.shared_limit(
    _configured("RATELIMIT_SIGN_IN"), scope="sign-in", methods=["POST"], deduct_when=_refused
)
password_reset = limiter.shared_limit(_configured("RATELIMIT_PASSWORD_RESET"), scope="password-reset", methods=["POST"])
# override_defaults=False: on an API route the API-wide limit of the blueprint applies as well
search = limiter.shared_limit(
    _configured("RATELIMIT_SEARCH"), scope="search", exempt_when=_without_query, override_defaults=False
)
suggest = limiter.shared_limit(_configured("RATELIMIT_SUGGEST"), scope="suggest", override_defaults=False)
api = limiter.shared_limit(_configured("RATELIMIT_API"), scope="api")


def search_log_allowed() -> bool:
    """May this client add one more row to the search log now? RATELIMIT_SEARCH_LOG per signed-in
    user, else per address. Over it the search is still answered, only not logged, so nobody can
    grow the log (or the popular searches drawn from it) by calling the search in a loop."""
    if not has_request_context() or not current_app.config["RATELIMIT_ENABLED"]:
        return True
    who = f"user:{current_user.id}" if current_user.is_authenticated else f"address:{client_address()}"
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    try:
        return all(
            limiter.limiter.hit(item, prefix, "search-log", who)
            for item in parse_many(current_app.config["RATELIMIT_SEARCH_LOG"])
        )
    except Exception:  # the storage failed: the search goes on, unlogged
        log.warning("search-log allowance unavailable; the search is not logged", exc_info=True)
        return False


def retry_after() -> int:
    """Whole seconds until the limit this request broke lets it through again (at least 1)."""
    current = limiter.current_limit
    try:
        reset = current.window.reset_time if current is not None else time.time() + 60
    except Exception:  # the storage went away between the check and the answer
        reset = time.time() + 60
    return max(1, math.ceil(reset - time.time()))


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("Try again in %(num)d second.", "Try again in %(num)d seconds.", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("Try again in %(num)d minute.", "Try again in %(num)d minutes.", minutes)


def _too_many(_err: RateLimitExceeded):
    wait = retry_after()
    message = f"{_('Too many requests. Please wait a moment.')} {_wait_text(wait)}"
    response = make_response(error_response(429, message, "rate_limited"))
    response.headers["Retry-After"] = str(wait)
    return response


def init_app(app) -> None:
    for key in NAMED:  # a mistyped limit stops the start, not the first request that meets it
        parse_many(app.config[key])
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith("redis"):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", dict(REDIS_OPTIONS))
    limiter._storage_dead = False  # a fresh storage: an earlier app's outage is not this one's
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many)
