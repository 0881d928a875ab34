"""The audit trail as an .xlsx workbook (opens in WPS and Excel), times in the viewer's zone."""

from __future__ import annotations

import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook

from portal.audit.labels import action_label
from portal.audit.models import AuditEvent


def workbook(events: Iterable[AuditEvent], tz: ZoneInfo) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit trail"))
    sheet.append(
        [
            _("Time"),
            _("Action"),
            _("By"),
            _("Whose data"),
            _("Object"),
            _("IP address"),
            _("Before"),
            _("After"),
            pgettext("audit", "Details"),
            "id",
            "hash",
        ]
    )
    for e in events:
        local = e.at.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
        sheet.append(
            [
                local,
                action_label(e.action),
                e.actor_name,
                e.subject_name,
                e.target,
                e.ip,
                e.before,
                e.after,
                e.detail,
                e.id,
                e.hash,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
