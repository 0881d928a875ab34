"""Every kind of notification the code sends has a name of its own in the list."""

from __future__ import annotations

import re

from portal.config import REPO_ROOT
from portal.notify.labels import kind_label

# notify(user, "kind", …) and the approvals' _notify(user, "kind", …), over several lines too
SENT = re.compile(r"\b_?notify\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*\"([a-z_]+)\"", re.S)


def sent_kinds() -> set[str]:
    kinds: set[str] = set()
    for path in (REPO_ROOT / "portal").rglob("*.py"):
        kinds |= set(SENT.findall(path.read_text(encoding="utf-8")))
    return kinds


def test_every_kind_sent_has_a_label(db_app):
    kinds = sent_kinds()
    assert {"approval_todo", "certificate_revoked", "handover", "password_expiry"} <= kinds  # the scan finds them
    with db_app.test_request_context():
        unnamed = sorted(k for k in kinds if kind_label(k) == k)
    assert unnamed == []
