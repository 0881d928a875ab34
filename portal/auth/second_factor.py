"""Which second step a sign-in needs, and the pending sign-in that waits for it (pure).

After the right password a sign-in may need one more step before it is complete:

- **enrol** — two-factor sign-in is required (by a role in PORTAL_2FA_REQUIRED_ROLES or by an
  administrator for the account) but no authenticator is set up yet: set one up now;
- **totp** — an authenticator is set up: a code from it (or a recovery code), every time;
- **email** — no authenticator, but this is the account's first sign-in or one from a network it
  has not used (IPv4 /24, IPv6 /64): a one-time code sent to the account's e-mail address;
- **none** — nothing more: a browser the user trusted within 30 days, an ordinary sign-in, or an
  unusual one for an account with neither an authenticator nor an e-mail address (the caller
  records that in the audit trail; nothing else could be checked).

A required enrolment is never skipped, not even by a trusted browser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Step(StrEnum):
    NONE = "none"
    ENROL = "enrol"
    TOTP = "totp"
    EMAIL = "email"


@dataclass(frozen=True)
class Facts:
    enrolled: bool  # a confirmed authenticator
    required: bool  # by role or by an administrator
    trusted_device: bool  # this browser carries an unexpired trust record of this account
    first_sign_in: bool  # the account has never completed a sign-in
    new_network: bool  # no earlier sign-in came from this network
    has_email: bool
    check_unusual: bool = True  # PORTAL_SIGNIN_NEW_NETWORK_CHECK


@dataclass(frozen=True)
class Decision:
    step: Step
    reason: str  # required, enrolled, trusted, first_sign_in, new_network, no_channel, usual


def step_needed(facts: Facts) -> Decision:
    if facts.required and not facts.enrolled:
        return Decision(Step.ENROL, "required")
    if facts.trusted_device:
        return Decision(Step.NONE, "trusted")
    if facts.enrolled:
        return Decision(Step.TOTP, "enrolled")
    unusual = _unusual(facts)
    if unusual is None:
        return Decision(Step.NONE, "usual")
    if facts.has_email:
        return Decision(Step.EMAIL, unusual)
    return Decision(Step.NONE, "no_channel")


def _unusual(facts: Facts) -> str | None:
    if not facts.check_unusual:
        return None
    if facts.first_sign_in:
        return "first_sign_in"
    if facts.new_network:
        return "new_network"
    return None


# --- networks -------------------------------------------------------------------------------

IPV4_PREFIX, IPV6_PREFIX = 24, 64


def network_of(ip: str) -> str:
    """The network an address belongs to as the check compares them: IPv4 /24, IPv6 /64 (an
    IPv4-mapped IPv6 address counts as its IPv4 address). Text that is no address stands for itself."""
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return (ip or "").strip().lower()
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    prefix = IPV4_PREFIX if addr.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def is_new_network(ip: str, earlier: Iterable[str]) -> bool:
    here = network_of(ip)
    return all(network_of(e) != here for e in earlier)


def required_by_role(roles: Iterable[str], required_roles: Iterable[str]) -> bool:
    return bool(set(roles) & set(required_roles))


def parse_roles(value: object) -> tuple[str, ...]:
    """PORTAL_2FA_REQUIRED_ROLES: "admin,support", a JSON list, or empty."""
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return tuple(sorted({str(i).strip().lower() for i in items if str(i).strip()}))


# --- the pending sign-in ----------------------------------------------------------------------

PENDING_TTL = {  # how long the second step may take
    Step.TOTP: timedelta(minutes=5),
    Step.EMAIL: timedelta(minutes=10),  # reading the mail takes longer; the code itself lasts 10 min
    Step.ENROL: timedelta(minutes=15),  # installing an app and scanning a code
}
MAX_ATTEMPTS = 5  # wrong codes per pending sign-in; each also counts toward the account's lockout


@dataclass(frozen=True)
class Pending:
    """A sign-in whose password was right, waiting for its second step (kept in the browser's
    signed session: nothing secret is in it)."""

    user_id: int
    step: Step
    started: datetime
    remember: bool = False
    next: str = ""
    reason: str = ""
    attempts: int = 0
    code_id: int | None = None  # the e-mailed code of step EMAIL

    def to_dict(self) -> dict:
        return {
            "uid": self.user_id,
            "step": self.step.value,
            "started": self.started.isoformat(),
            "remember": self.remember,
            "next": self.next,
            "reason": self.reason,
            "attempts": self.attempts,
            "code": self.code_id,
        }

    @classmethod
    def from_dict(cls, raw: object) -> Pending | None:
        """The pending sign-in, or None when there is none or it is malformed."""
        if not isinstance(raw, dict):
            return None
        try:
            code = raw.get("code")
            return cls(
                user_id=int(raw["uid"]),
                step=Step(raw["step"]),
                started=datetime.fromisoformat(raw["started"]),
                remember=bool(raw.get("remember")),
                next=str(raw.get("next") or ""),
                reason=str(raw.get("reason") or ""),
                attempts=int(raw.get("attempts") or 0),
                code_id=int(code) if code is not None else None,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def expires_at(self) -> datetime:
        return self.started + PENDING_TTL.get(self.step, timedelta(minutes=5))

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at() or now < self.started - timedelta(minutes=1)

    def exhausted(self) -> bool:
        return self.attempts >= MAX_ATTEMPTS

    def after_failure(self) -> Pending:
        return replace(self, attempts=self.attempts + 1)

    def with_code(self, code_id: int) -> Pending:
        return replace(self, code_id=code_id)


# --- what a browser is called on the security page ----------------------------------------------

_BROWSERS = (  # order matters: Edge and Opera also say Chrome, Chrome also says Safari
    ("edg/", "Edge"),
    ("opr/", "Opera"),
    ("firefox/", "Firefox"),
    ("chromium/", "Chromium"),
    ("chrome/", "Chrome"),
    ("safari/", "Safari"),
)
_SYSTEMS = (
    ("windows", "Windows"),
    ("iphone", "iOS"),
    ("ipad", "iPadOS"),
    ("android", "Android"),
    ("mac os x", "macOS"),
    ("cros", "ChromeOS"),
    ("linux", "Linux"),
)


def browser_label(user_agent: str) -> str:
    """ "Chrome on Windows", from a User-Agent header; "" when nothing is recognised."""
    ua = (user_agent or "").lower()
    browser = next((name for key, name in _BROWSERS if key in ua), "")
    if "micromessenger/" in ua:
        browser = "WeChat"
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    if "headlesschrome/" in ua:
        browser = "Chrome (headless)"
    if browser and system:
        return f"{browser} · {system}"
    return browser or system
