"""One-time codes (pure): TOTP from an authenticator app (RFC 6238 through pyotp), recovery codes
and the six-digit codes sent by e-mail. `now` is passed in (naive UTC, as the database keeps it).

A TOTP code is accepted one time step early or late (valid_window=1: clocks drift, people type
slowly) and never twice: the matching time step is returned and stored, and a code whose step is
not later than the stored one is refused — also a different code of an earlier step.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

DIGITS, INTERVAL, VALID_WINDOW = 6, 30, 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code copied from paper by hand should not be ambiguous.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_HALF = 5
_SEPARATORS = re.compile(r"[\s\-_]+")


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret as people type it by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def time_step(now: datetime) -> int:
    return calendar.timegm(now.utctimetuple()) // INTERVAL


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(step)


def normalise(text: str) -> str:
    """What was typed, without spaces, dashes and case ("123 456", "ABCDE-FGHIJ")."""
    return _SEPARATORS.sub("", text or "").lower()


def looks_like_totp(text: str) -> bool:
    code = normalise(text)
    return len(code) == DIGITS and code.isdigit()


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code `code` is (within the window), if it is later than `last_step`;
    None otherwise (wrong, or already used)."""
    typed = normalise(code)
    if not looks_like_totp(typed):
        return None
    current = time_step(now)
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # every step is compared, so the time taken does not tell which one matched
        if hmac.compare_digest(code_at(secret, step), typed) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


# --- recovery codes --------------------------------------------------------------------------


def new_recovery_codes(n: int = RECOVERY_CODES) -> list[str]:
    """`n` distinct codes like "k7m2p-x9qrt" (about 49 bits each)."""
    codes: set[str] = set()
    while len(codes) < n:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(2 * _RECOVERY_HALF))
        codes.add(f"{raw[:_RECOVERY_HALF]}-{raw[_RECOVERY_HALF:]}")
    return sorted(codes)


def looks_like_recovery_code(text: str) -> bool:
    code = normalise(text)
    return len(code) == 2 * _RECOVERY_HALF and all(c in _RECOVERY_ALPHABET for c in code)


def recovery_digest(code: str) -> str:
    """Stored instead of the code. The codes are random enough that a plain hash is not worth
    guessing against; the separator and case do not matter."""
    return hashlib.sha256(("recovery:" + normalise(code)).encode()).hexdigest()


# --- e-mailed codes ---------------------------------------------------------------------------


def new_email_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def email_code_digest(key: bytes, code: str, salt: str) -> str:
    """Six digits are quickly guessed from a plain hash, so the stored digest is keyed (by a
    key derived from the application's secret) and salted per code."""
    return hmac.new(key, f"{salt}:{normalise(code)}".encode(), hashlib.sha256).hexdigest()
