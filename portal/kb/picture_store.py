"""Pictures for articles and chapters: storing an upload (re-encoded, in the file store's
"pictures" area) in one unit of work, finding one by its address, and whose texts show it."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.core import images, storage, uow
from portal.core.errors import InvalidInput
from portal.extensions import db
from portal.kb import editions, pictures
from portal.kb.models import Article, Manual, Picture

AREA = "pictures"  # the storage area: instance/pictures by default


class PictureError(InvalidInput):
    """An upload that is not a picture we take (422), said beside the file field."""

    def __init__(self, message: str):
        super().__init__({"file": message})


def _store() -> storage.FileStore:
    return storage.area(AREA)


def _refusal(reason: str) -> str:
    if reason == "pixels":
        return _(
            "This picture has too many pixels (at most %(n)d million). Make it smaller and try again.",
            n=current_app.config["IMAGE_MAX_PIXELS"] // 1_000_000,
        )
    if reason == "unreadable":
        return _("This file could not be read as a picture. Save it again as PNG, JPEG or WebP.")
    return _("Only PNG, JPEG and WebP pictures can be inserted.")


def store_picture(data: bytes, uploader: User | None = None) -> Picture:
    """Check and re-encode `data`, store the original and its rendition, one row for both. The
    same picture uploaded again is the row already there (its address is its content)."""
    limit = current_app.config["IMAGE_MAX_BYTES"]
    if not data:
        raise PictureError(_("The file is empty."))
    if len(data) > limit:
        raise PictureError(_("A picture may be at most %(mb)s MB.", mb=_megabytes(limit)))
    try:
        encoded = images.reencode(
            data,
            max_pixels=current_app.config["IMAGE_MAX_PIXELS"],
            max_width=current_app.config["IMAGE_RENDITION_WIDTH"],
        )
    except images.Refused as err:
        raise PictureError(_refusal(err.reason)) from None
    key = pictures.key_of(encoded.digest)
    try:
        with uow.unit_of_work():
            return find(key) or _add(key, encoded, uploader)
    except IntegrityError:  # the same picture, uploaded at the same moment by someone else
        found = find(key)
        if found is None:
            raise
        return found


def _add(key: str, encoded: images.Picture, uploader: User | None) -> Picture:
    store = _store()
    original = store.put(encoded.original.data)
    uow.on_rollback(store.delete, original)
    rendition = None
    if encoded.rendition is not None:
        rendition = store.put(encoded.rendition.data)
        uow.on_rollback(store.delete, rendition)
    picture = Picture(
        key=key,
        format=encoded.format,
        width=encoded.original.width,
        height=encoded.original.height,
        size=len(encoded.original.data),
        stored_original=original,
        stored_rendition=rendition,
        rendition_width=encoded.rendition.width if encoded.rendition else None,
        uploaded_by_id=uploader.id if uploader is not None else None,
    )
    db.session.add(picture)
    db.session.flush()
    return picture


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


# Reads


def find(key: str) -> Picture | None:
    return db.session.scalar(select(Picture).where(Picture.key == key))


def url(picture: Picture, *, full: bool = False) -> str:
    """The address Markdown uses (root-relative, so it works behind any host name)."""
    name = pictures.file_name(picture.key, picture.format)
    return f"{pictures.PATH}{'full/' if full else ''}{name}"


def content_type(picture: Picture) -> str:
    return images.CONTENT_TYPES[picture.format]


def read(picture: Picture, *, full: bool = False) -> bytes | None:
    """The stored file: the rendition unless `full` (or when there is none); None if it is gone."""
    stored = picture.stored_original if full or not picture.stored_rendition else picture.stored_rendition
    try:
        return _store().read(stored)
    except FileNotFoundError:
        return None


def audience_of(picture: Picture) -> str:
    """Who may see the picture: the widest audience of the articles and chapters showing it.
    Their Markdown is the one record of what shows it (a draft, an edition's copy, a text
    changed by any writer count as they are now), so the texts are searched for its key."""
    rows = db.session.execute(
        select(Article.body, Article.visibility, Article.published, Manual)
        .outerjoin(Manual, Article.manual_id == Manual.id)
        .where(Article.body.contains(picture.key, autoescape=True))
    )
    uses = [
        pictures.Use(visibility, published, editions.is_draft(manual))
        for body, visibility, published, manual in rows
        if picture.key in pictures.keys_in(body)
    ]
    return pictures.audience(uses)
