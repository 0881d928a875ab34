"""How random secrets are kept (pure): an API token, a session key, a trusted browser's cookie, a
reset link's token are stored only as their sha256, so a copy of the database signs nobody in."""

from __future__ import annotations

import hashlib


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
