"""Ticket and quiz attachments in the file store under random names; the database keeps who may see them."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from portal.core import storage, uow

ALLOWED = frozenset(
    {
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "pdf",
        "txt",
        "log",
        "csv",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "zip",
        "7z",
        "rar",
    }
)
MAX_FILES = 5
AREA = "attachments"  # the storage area: instance/attachments by default


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def _store() -> storage.FileStore:
    return storage.area(AREA)


def clean_name(name: str) -> str:
    """Keep the name people recognise (Chinese included), without any path in it."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return name[:200] or "file"


def from_request(files) -> list[Upload]:
    """werkzeug FileStorage objects -> uploads (empty file inputs are skipped)."""
    out = []
    for f in files:
        if f and f.filename:
            data = f.read(current_app.config["TICKET_ATTACHMENT_MAX"] + 1)
            name = clean_name(f.filename)
            out.append(Upload(name, f.mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream", data))
    return out


def problems(uploads: list[Upload]) -> str | None:
    """Why these uploads cannot be accepted, or None."""
    limit = current_app.config["TICKET_ATTACHMENT_MAX"]
    if len(uploads) > MAX_FILES:
        return _("At most %(n)d files per message.", n=MAX_FILES)
    for u in uploads:
        ext = u.filename.rsplit(".", 1)[-1].lower() if "." in u.filename else ""
        if ext not in ALLOWED:
            return _("%(name)s: this file type is not accepted (images, PDF, text, Office, archives).", name=u.filename)
        if len(u.data) > limit:
            return _("%(name)s is larger than %(mb)d MB.", name=u.filename, mb=limit // (1024 * 1024))
        if not u.data:
            return _("%(name)s is empty.", name=u.filename)
    return None


def store(upload: Upload) -> str:
    """Put the file in the store; inside a unit of work it is deleted again if that work rolls
    back (its row never existed), however deeply the storing service was nested."""
    name = _store().put(upload.data)
    uow.on_rollback(discard, [name])
    return name


def discard(stored_names) -> None:
    for name in stored_names:
        _store().delete(name)


def path_of(stored_name: str) -> Path:
    return _store().path(stored_name)
