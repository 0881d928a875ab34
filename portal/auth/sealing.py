"""Sealing a short secret for storage (pure): encrypted and authenticated with keys derived from
the application's secret key, using only the standard library.

The construction is the textbook one: a keystream from HMAC-SHA256 in counter mode over a random
16-byte nonce (a PRF used as a stream cipher), XORed with the text, then encrypt-then-MAC with a
second derived key over version, nonce and ciphertext. Its purpose is that a copied database (a
backup, a dump) does not hand over the TOTP secrets; whoever also has the secret key can unseal
them. Changing PORTAL_SECRET_KEY makes sealed values unreadable: those accounts must set up their
authenticator again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

VERSION = b"s1"
_NONCE, _TAG = 16, 32


class Unreadable(ValueError):
    """The sealed text was changed, or sealed with another key."""


def derive_key(secret: str | bytes, purpose: str) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"portal-seal:" + purpose.encode(), hashlib.sha256).digest()


def _keys(key: bytes) -> tuple[bytes, bytes]:
    return (
        hmac.new(key, b"encrypt", hashlib.sha256).digest(),
        hmac.new(key, b"authenticate", hashlib.sha256).digest(),
    )


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def seal(key: bytes, text: str) -> str:
    enc, mac = _keys(key)
    nonce = secrets.token_bytes(_NONCE)
    data = text.encode()
    body = bytes(a ^ b for a, b in zip(data, _keystream(enc, nonce, len(data)), strict=True))
    tag = hmac.new(mac, VERSION + nonce + body, hashlib.sha256).digest()
    return VERSION.decode() + ":" + base64.urlsafe_b64encode(nonce + body + tag).decode()


def unseal(key: bytes, sealed: str) -> str:
    version, _, payload = (sealed or "").partition(":")
    if version.encode() != VERSION:
        raise Unreadable("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except (ValueError, TypeError):
        raise Unreadable("not a sealed value") from None
    if len(raw) < _NONCE + _TAG:
        raise Unreadable("not a sealed value")
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    enc, mac = _keys(key)
    if not hmac.compare_digest(tag, hmac.new(mac, VERSION + nonce + body, hashlib.sha256).digest()):
        raise Unreadable("sealed with another key, or changed")
    data = bytes(a ^ b for a, b in zip(body, _keystream(enc, nonce, len(body)), strict=True))
    return data.decode()
