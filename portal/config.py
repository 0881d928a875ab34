"""Configuration: defaults, overridden by PORTAL_* environment variables, then by create_app(config)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "PUBLIC_KB": True,
    "LOGIN_LOCK_AFTER": 5,  # wrong passwords within the window that lock an account
    "LOGIN_LOCK_WINDOW_MINUTES": 15,
    "LOGIN_LOCK_MINUTES": 15,
    "PASSWORD_MIN_LENGTH": 8,
    "PASSWORD_HISTORY": 5,  # a new password may not be one of the last this many
    "PASSWORD_MAX_AGE_DAYS": 90,  # 0: passwords never expire
    "PASSWORD_REMIND_DAYS": 14,  # the banner and the one notification start this long before
    "PASSWORD_RESET_MINUTES": 30,  # how long an e-mailed reset link is valid
    "BASE_URL": None,  # e.g. https://oa.example.com: links in e-mails (else the request's host)
    "SMTP_HOST": "",  # empty: no mail server; messages are logged (recipient, subject) and dropped
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_FROM": "OA 帮助中心 <noreply@localhost>",
    "SMTP_TIMEOUT": 10,
    "2FA_REQUIRED_ROLES": "",  # roles that must use two-factor sign-in, e.g. "admin,support"
    "2FA_ISSUER": "OA Help Centre",  # the name authenticator apps show beside the account
    "SIGNIN_NEW_NETWORK_CHECK": True,  # a code on the first sign-in and from a network not used before
    "SESSION_IDLE_MINUTES": 120,  # a sign-in without "remember me" ends after this long unused
    "SESSION_REMEMBER_DAYS": 30,  # "remember me" keeps a browser signed in this long
    "SEARCH_PAGE_SIZE": 10,
    "SEARCH_MAX_QUERY_LENGTH": 200,
    "API_MAX_LIMIT": 50,
    "JOBS_IMMEDIATE": False,
    "JOBS_WORKERS": 2,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": {"zh_CN": "简体中文", "en": "English", "ja": "日本語"},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session; an expiring token only loses what people typed
    "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,  # a message with its attachments
    "TICKET_WORK_HOURS": "09:00-17:00",  # the service day (7x8 by default: every day)
    "TICKET_WORK_DAYS": "1234567",  # ISO weekdays, 1 = Monday
    "CALENDAR_LOOKAHEAD_DAYS": 60,  # the calendar page and a nightly job warn when the holidays end sooner
    # The service tiers the support desk chooses at triage (MISSION.md): the default tier promises
    # "respond in 1 h, solve in 4 h" of service time; simple and complex problems 1 and 3 working days
    "TICKET_DEFAULT_TIER": "standard",  # a new ticket's tier until triage: standard | simple | complex
    "TICKET_STANDARD_RESPONSE_MINUTES": 60,  # normal tickets of the standard tier (urgent: 15/30 min)
    "TICKET_STANDARD_RESOLUTION_HOURS": 4,
    "TICKET_SIMPLE_RESOLUTION_DAYS": 1,
    "TICKET_COMPLEX_RESOLUTION_DAYS": 3,
    "TICKET_AUTO_CLOSE_HOURS": 72,  # resolved and not confirmed: closed after this long
    "TICKET_ATTACHMENT_MAX": 10 * 1024 * 1024,
    "TICKET_PAGE_SIZE": 20,
    # Pictures in articles and manual chapters (portal/core/images.py): PNG, JPEG or WebP up to
    # this size and pixel count (a few kilobytes can declare a bomb of billions of pixels); wider
    # pictures get a rendition this wide for pages, the original stays available re-encoded.
    "IMAGE_MAX_BYTES": 8 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 40_000_000,
    "IMAGE_RENDITION_WIDTH": 1600,
    "APPROVAL_WORK_DAYS": "12345",  # the approval clock runs whole days, Monday to Friday
    "APPROVAL_STEP_HOURS": 24,  # each step of a normal route
    "APPROVAL_FAST_TRACK_HOURS": 24,  # a whole fast-track request (MISSION.md)
    "APPROVAL_REMIND_BEFORE_HOURS": 4,  # a reminder this long before a step is due
    # Abuse limits (portal/web/limits.py, Flask-Limiter): per client address, in the embedded
    # in-memory storage unless RATELIMIT_STORAGE_URI (or REDIS_URL) names a Redis server. A limit
    # is one or more "N per minute|hour" separated by ";". RATELIMIT_ENABLED=False switches every
    # one of them off, the search log's included (the test suite does).
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_SIGN_IN": "10 per minute; 100 per hour",  # refused sign-ins per address
    "RATELIMIT_PASSWORD_RESET": "5 per minute; 20 per hour",  # reset requests per address
    "RATELIMIT_SEARCH": "60 per minute",  # the search page with a query and the search API
    "RATELIMIT_SUGGEST": "300 per minute",  # completion while typing, web and API
    "RATELIMIT_API": "600 per minute",  # every /api/v1 call of one address together
    "RATELIMIT_SEARCH_LOG": "20 per minute",  # new search-log rows per signed-in user, else address
    "RATELIMIT_KEY_PREFIX": "portal",
    "RATELIMIT_STRATEGY": "fixed-window",
    "RATELIMIT_SWALLOW_ERRORS": True,  # a storage failure is logged, never a 500 ...
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # ... and the limits go on in memory meanwhile
    "PROXY_FIX": 0,  # proxies in front that set X-Forwarded-For/-Proto/-Host; 0 trusts none
    # Popular searches offered while typing (portal/search/popular.py)
    "SEARCH_POPULAR_MIN_USERS": 3,  # distinct signed-in people who searched the text as typed
    "SEARCH_POPULAR_SHOWN": 3,  # the first results shown that must all be public
    "SEARCH_POPULAR_DAYS": 90,  # searches older than this no longer count
}


def instance_path() -> str:
    return os.environ.get("PORTAL_INSTANCE_PATH") or str(REPO_ROOT / "instance")


def configure(app, overrides: dict | None) -> None:
    """Fill app.config: defaults < PORTAL_* environment < explicit overrides."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("PORTAL")
    if overrides:
        app.config.update(overrides)

    cfg = app.config
    inst = Path(app.instance_path)
    inst.mkdir(parents=True, exist_ok=True)
    cfg.setdefault("DATABASE_URL", f"sqlite:///{inst / 'portal.db'}")
    cfg.setdefault("SQLALCHEMY_DATABASE_URI", cfg["DATABASE_URL"])
    cfg.setdefault("SEARCH_INDEX_DIR", str(REPO_ROOT / "search_index"))
    cfg.setdefault("JOBS_DB", str(inst / "jobs.db"))
    cfg.setdefault("STORAGE_DIR", str(inst))  # file areas: attachments/, uploads/, backups/
    cfg.setdefault("APPROVAL_TEMPLATE_DIR", str(inst / "approval_templates"))
    cfg["TICKET_ATTACHMENT_MAX"] = int(cfg["TICKET_ATTACHMENT_MAX"])
    for key in ("IMAGE_MAX_BYTES", "IMAGE_MAX_PIXELS", "IMAGE_RENDITION_WIDTH"):
        cfg[key] = int(cfg[key])
    cfg.setdefault("REDIS_URL", None)
    cfg.setdefault("RATELIMIT_STORAGE_URI", cfg["REDIS_URL"] or "memory://")
    cfg["RATELIMIT_ENABLED"] = _as_bool(cfg["RATELIMIT_ENABLED"])
    cfg["PROXY_FIX"] = int(cfg["PROXY_FIX"] or 0)
    cfg["PUBLIC_KB"] = _as_bool(cfg["PUBLIC_KB"])
    # Cookies are sent over HTTPS only, unless PORTAL_SECURE_COOKIES=0 (`portal serve`, the
    # embedded plain-HTTP setup, turns it off unless the variable is set).
    cfg["SECURE_COOKIES"] = _as_bool(cfg.get("SECURE_COOKIES", True))
    cfg["SESSION_COOKIE_SECURE"] = cfg["REMEMBER_COOKIE_SECURE"] = cfg["SECURE_COOKIES"]
    cfg["JOBS_IMMEDIATE"] = _as_bool(cfg["JOBS_IMMEDIATE"])
    cfg["SMTP_STARTTLS"] = _as_bool(cfg["SMTP_STARTTLS"])
    cfg["SMTP_SSL"] = _as_bool(cfg["SMTP_SSL"])
    cfg["SIGNIN_NEW_NETWORK_CHECK"] = _as_bool(cfg["SIGNIN_NEW_NETWORK_CHECK"])
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(inst)


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)


def _instance_secret(inst: Path) -> str:
    """A per-installation secret kept in the instance folder, so sessions survive restarts."""
    path = inst / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path.read_text().strip()
