"""Online approvals: templates as data, routing by an authority matrix, decisions, reminders."""
from __future__ import annotations


def init_app(app):
    from portal.approvals import models  # noqa: F401  (tables; services and pages follow)
