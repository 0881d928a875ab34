"""Trusted browsers: "trust this browser for 30 days" on the second step of a sign-in.

The browser gets a cookie with a random token (never the user's id; HttpOnly, SameSite=Lax,
Secure when the session cookie is, and it expires with the record — there is no permanent
one); only the token's digest is kept, in `trusted_devices`. A trusted browser skips the second
step until the record expires or is forgotten: one by one or all on the security page, and all
at once by a password change, "sign out everywhere" or a closed account (sessions.revoke_all).
One browser may hold the trust of a few accounts (a shared desk), so the cookie keeps up to five
tokens.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.audit import services as audit
from portal.auth.models import TrustedDevice, User
from portal.auth.roles import manages_account
from portal.auth.second_factor import browser_label
from portal.auth.tokens import digest
from portal.core.clock import utcnow
from portal.core.errors import NotAllowed, NotFound
from portal.core.uow import transactional
from portal.extensions import db

COOKIE = "portal_trusted"
TRUST_FOR = timedelta(days=30)
TOKENS_PER_BROWSER = 5
_TOKEN_MAX = 64  # token_urlsafe(32) is 43 characters


def _digest(token: str) -> str:
    return digest("device:" + token)


def tokens_from(cookie: str | None) -> list[str]:
    """The tokens a browser's cookie carries (at most five, each of a plausible length)."""
    parts = (cookie or "").split(".")
    return [t for t in parts if 0 < len(t) <= _TOKEN_MAX][:TOKENS_PER_BROWSER]


def cookie_with(tokens: Iterable[str], new: str) -> str:
    """The cookie value after adding `new`: the newest first, the oldest dropped past five."""
    kept = [new, *(t for t in tokens if t != new)]
    return ".".join(kept[:TOKENS_PER_BROWSER])


def trusted_device(user: User, tokens: Iterable[str], now: datetime | None = None) -> TrustedDevice | None:
    """The unexpired trust record of `user` among the browser's tokens."""
    digests = [_digest(t) for t in tokens]
    if not digests:
        return None
    now = now or utcnow()
    return db.session.scalar(
        select(TrustedDevice).where(
            TrustedDevice.user_id == user.id,
            TrustedDevice.token_hash.in_(digests),
            TrustedDevice.expires_at > now,
        )
    )


def trust(user: User, *, user_agent: str, now: datetime | None = None) -> tuple[str, TrustedDevice]:
    """A new trust record for this browser (joins the caller's unit of work); returns the token
    for the cookie, shown nowhere else. The account's expired records go at the same time."""
    now = now or utcnow()
    db.session.execute(delete(TrustedDevice).where(TrustedDevice.user_id == user.id, TrustedDevice.expires_at <= now))
    token = secrets.token_urlsafe(32)
    label = browser_label(user_agent) or _("Unknown browser")
    row = TrustedDevice(
        user_id=user.id, token_hash=_digest(token), label=label[:120], created_at=now, expires_at=now + TRUST_FOR
    )
    row.last_used_at = now
    db.session.add(row)
    db.session.flush()
    audit.record(
        "device_trusted",
        actor=user,
        subject=user,
        target=f"device:{row.id}",
        detail={"label": row.label, "until": row.expires_at.isoformat(timespec="seconds")},
        now=now,
    )
    return token, row


def list_for(user: User, now: datetime | None = None) -> list[TrustedDevice]:
    """The account's unexpired trusted browsers, the most recently used first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(TrustedDevice)
            .where(TrustedDevice.user_id == user.id, TrustedDevice.expires_at > now)
            .order_by(TrustedDevice.last_used_at.desc(), TrustedDevice.id.desc())
        )
    )


@transactional
def forget(device_id: int, *, by: User) -> TrustedDevice:
    """Forget one trusted browser: its owner or an administrator (anyone else: no such browser)."""
    row = db.session.get(TrustedDevice, device_id)
    if row is None or not manages_account(by, row.user_id):
        raise NotFound(_("No such browser."))
    audit.record(
        "device_forgotten",
        actor=by,
        subject=row.user,
        target=f"device:{row.id}",
        detail={"label": row.label, "devices": 1, "reason": "forgotten"},
    )
    db.session.delete(row)
    return row


def forget_devices(user: User, *, by: User | None, reason: str = "forgotten") -> int:
    """Forget every trusted browser of `user` — joins the caller's unit of work (a password change,
    "sign out everywhere", a closed account forget them in the same commit). `by` None: the system.
    Returns how many were forgotten."""
    if not manages_account(by, user.id):
        raise NotAllowed(_("Only the account's owner or an administrator may forget its browsers."))
    gone = db.session.execute(delete(TrustedDevice).where(TrustedDevice.user_id == user.id)).rowcount or 0
    if gone:
        audit.record(
            "device_forgotten",
            actor=by,
            subject=user,
            target=f"user:{user.username}",
            detail={"devices": gone, "reason": reason},
        )
    return gone


@transactional
def forget_all(user: User, *, by: User) -> int:
    return forget_devices(user, by=by, reason="forgotten")
