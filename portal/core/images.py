"""Uploaded pictures re-encoded (pure): what the bytes really are, and a clean copy of their pixels.

Neither the file name nor the Content-Type counts: the first bytes must say PNG, JPEG or WebP and
Pillow must open the file as exactly that format. The pixel count is checked from the header,
before anything is decoded (a 100 000 x 100 000 PNG of a few kilobytes is a decompression bomb).
Only pixels survive: EXIF (GPS included), XMP, comments and text chunks are dropped, the EXIF
orientation is applied to the pixels, an embedded colour profile is converted to sRGB. A picture
wider than `max_width` also gets a narrower rendition for pages; the original is kept re-encoded.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageCms, ImageFile, ImageOps

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


class Refused(ValueError):
    """Not a picture we take; `reason` is one of "type", "unreadable", "pixels"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    format: str  # png | jpeg | webp
    original: Encoded  # every pixel, re-encoded without metadata
    rendition: Encoded | None  # at most max_width wide; None when the original is not wider

    @property
    def digest(self) -> str:
        """The content hash of the re-encoded original: the same picture uploaded twice is one."""
        return hashlib.sha256(self.original.data).hexdigest()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def sniff(data: bytes) -> str | None:
    """The format the first bytes announce (png, jpeg, webp), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def reencode(data: bytes, *, max_pixels: int, max_width: int) -> Picture:
    """A clean copy of the picture in `data` (and its rendition), or Refused."""
    fmt = sniff(data)
    if fmt is None:
        raise Refused("type")
    image = _open(data, fmt, max_pixels)
    try:
        _load_whole(image)  # the decoding: a truncated or corrupt file fails here
        image = ImageOps.exif_transpose(image)
        image = _srgb(image)
        image = _plain_mode(image, fmt)
        clean = _pixels_only(image)
    except Exception as err:  # Pillow's decoders raise OSError, ValueError, SyntaxError, struct.error …
        raise Refused("unreadable") from err
    original = Encoded(_encode(clean, fmt), clean.width, clean.height)
    rendition = None
    if clean.width > max_width:
        narrow = _resized(clean, max_width)
        rendition = Encoded(_encode(narrow, fmt), narrow.width, narrow.height)
    return Picture(fmt, original, rendition)


_TRUNCATION = threading.Lock()


def _load_whole(image: Image.Image) -> None:
    """Decode every pixel, refusing a truncated file even though WeasyPrint, once imported, tells
    Pillow process-wide to pad truncated images (ImageFile.LOAD_TRUNCATED_IMAGES = True)."""
    with _TRUNCATION:
        padding = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = padding


def _open(data: bytes, fmt: str, max_pixels: int) -> Image.Image:
    """Open lazily (only the header is read) as exactly `fmt`, refusing too many pixels before
    anything is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[fmt]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            raise Refused("pixels") from err
        except Exception as err:
            raise Refused("unreadable") from err
    if (image.format or "").upper() != _PILLOW_FORMATS[fmt]:
        raise Refused("type")
    width, height = image.size
    if width < 1 or height < 1:
        raise Refused("unreadable")
    if width * height > max_pixels:
        raise Refused("pixels")
    return image


def _srgb(image: Image.Image) -> Image.Image:
    """Pixels in sRGB: the embedded profile is applied, then dropped with the rest of the metadata."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGBA" if image.mode == "RGBA" else "RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are
    return converted if converted is not None else image


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.mode or "transparency" in image.info


def _plain_mode(image: Image.Image, fmt: str) -> Image.Image:
    """A mode the output format writes plainly (CMYK, 16-bit and the like become RGB or RGBA)."""
    if fmt == "jpeg":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if fmt == "png" and image.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image
    if fmt == "webp" and image.mode in ("RGB", "RGBA"):
        return image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixels (and palette) alone: nothing of the file's metadata can follow."""
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode == "P":
        palette = image.getpalette()
        if palette:
            clean.putpalette(palette)
    transparency = image.info.get("transparency")
    if transparency is not None and image.mode in ("P", "L", "RGB"):
        clean.info["transparency"] = transparency  # which pixels are see-through: part of the picture
    return clean


def _resized(image: Image.Image, width: int) -> Image.Image:
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if fmt == "png":
        options = {"optimize": True}
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    elif fmt == "jpeg":
        options = {"quality": 85, "optimize": True, "progressive": True}
    else:
        options = {"quality": 85, "method": 4}
    image.save(out, format=_PILLOW_FORMATS[fmt], **options)
    return out.getvalue()
