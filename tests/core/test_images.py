"""Uploaded pictures re-encoded (portal/core/images.py): the real type decides, bombs are refused
from the header, and only pixels survive — no EXIF, GPS, text chunks or trailing bytes."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from portal.core import images

LIMITS = {"max_pixels": 40_000_000, "max_width": 1600}


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    """EXIF as a phone writes it: the camera, the time, where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "Model-X1"
    exif[0x0132] = "2026:12:01 08:30:00"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}  # 北京
    return exif.tobytes()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height pixels, with one empty data chunk: a few bytes
    that would decode into gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def reopened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- what the bytes are ---------------------------------------------------------------------------


def test_the_first_bytes_say_the_type_not_the_name():
    assert images.sniff(encoded(Image.new("RGB", (4, 4)), "PNG")) == "png"
    assert images.sniff(encoded(Image.new("RGB", (4, 4)), "JPEG")) == "jpeg"
    assert images.sniff(encoded(Image.new("RGB", (4, 4)), "WEBP")) == "webp"
    assert images.sniff(encoded(Image.new("RGB", (4, 4)), "GIF")) is None
    assert images.sniff(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>") is None
    assert images.sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None  # RIFF, but a sound


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(encoded(Image.new("RGB", (8, 8)), "GIF"), id="gif"),
        pytest.param(encoded(Image.new("RGB", (8, 8)), "BMP"), id="bmp"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", id="svg"),
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"%PDF-1.7\n", id="pdf"),
        pytest.param(b"", id="empty"),
    ],
)
def test_other_types_are_refused(data):
    with pytest.raises(images.Refused) as err:
        images.reencode(data, **LIMITS)
    assert err.value.reason == "type"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n<script>alert(document.cookie)</script>", id="png-magic-then-script"),
        pytest.param(b"\xff\xd8\xff\xe0<script>alert(1)</script>", id="jpeg-magic-then-script"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 <script>", id="webp-magic-then-script"),
        pytest.param(b"\xff\xd8\xff" + encoded(Image.new("RGB", (8, 8)), "PNG")[3:], id="png-posing-as-jpeg"),
        pytest.param(encoded(Image.new("RGB", (64, 64), "red"), "PNG")[:60], id="truncated-png"),
    ],
)
def test_a_file_that_only_starts_like_a_picture_is_refused(data):
    with pytest.raises(images.Refused) as err:
        images.reencode(data, **LIMITS)
    assert err.value.reason in ("unreadable", "type")


def test_script_hidden_in_a_real_png_does_not_survive():
    """A valid PNG with HTML in a text chunk and after its end (a polyglot) comes out as pixels."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    data = encoded(Image.new("RGB", (20, 10), "white"), "PNG", pnginfo=info) + b"<script>alert(2)</script>"
    assert b"<script>" in data
    picture = images.reencode(data, **LIMITS)
    assert b"<script" not in picture.original.data
    assert reopened(picture.original.data).text == {}


# --- decompression bombs --------------------------------------------------------------------------


def test_too_many_pixels_are_refused_before_decoding():
    data = encoded(Image.new("1", (10_000, 5_000)), "PNG")  # 50 million pixels in a few kilobytes
    assert len(data) < 100_000
    with pytest.raises(images.Refused) as err:
        images.reencode(data, **LIMITS)
    assert err.value.reason == "pixels"


def test_a_header_declaring_billions_of_pixels_is_refused():
    with pytest.raises(images.Refused) as err:
        images.reencode(png_header_only(100_000, 100_000), **LIMITS)
    assert err.value.reason == "pixels"
    with pytest.raises(images.Refused) as err:  # under Pillow's own bomb limit, over ours
        images.reencode(png_header_only(9_000, 5_000), **LIMITS)
    assert err.value.reason == "pixels"


# --- only pixels survive --------------------------------------------------------------------------


def test_jpeg_loses_its_exif_and_gps_and_keeps_its_orientation():
    image = Image.new("RGB", (400, 200), (200, 30, 30))
    image.paste((0, 0, 255), (0, 0, 40, 40))  # a blue corner to follow through the rotation
    data = encoded(image, "JPEG", exif=gps_exif(orientation=6), comment=b"taken at home")
    assert b"SecretCam" in data and b"taken at home" in data
    assert reopened(data).getexif().get_ifd(0x8825)  # the GPS block is there before

    picture = images.reencode(data, **LIMITS)
    out = reopened(picture.original.data)
    assert picture.format == "jpeg" and picture.content_type == "image/jpeg"
    assert (out.width, out.height) == (200, 400)  # orientation 6: turned a quarter clockwise
    assert out.getpixel((190, 10))[2] > 150  # the blue corner is now top right
    assert dict(out.getexif()) == {}
    assert not out.getexif().get_ifd(0x8825)
    for secret in (b"SecretCam", b"Model-X1", b"2026:12:01", b"taken at home", b"Exif"):
        assert secret not in picture.original.data
    assert "exif" not in out.info and "comment" not in out.info


def test_webp_and_png_lose_their_exif_too():
    for fmt in ("WEBP", "PNG"):
        data = encoded(Image.new("RGB", (30, 30), "green"), fmt, exif=gps_exif())
        assert b"SecretCam" in data
        picture = images.reencode(data, **LIMITS)
        assert b"SecretCam" not in picture.original.data
        assert dict(reopened(picture.original.data).getexif()) == {}


def test_a_colour_profile_is_applied_then_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(Image.new("RGB", (10, 10), (10, 200, 10)), "PNG", icc_profile=srgb)
    assert b"iCCP" in data  # the profile chunk
    picture = images.reencode(data, **LIMITS)
    assert b"iCCP" not in picture.original.data
    assert reopened(picture.original.data).getpixel((0, 0)) == (10, 200, 10)  # sRGB to sRGB: unchanged
    broken = encoded(Image.new("RGB", (10, 10)), "PNG", icc_profile=b"not a profile")
    assert "icc_profile" not in reopened(images.reencode(broken, **LIMITS).original.data).info


def test_unusual_modes_become_plain_ones_and_transparency_stays():
    cmyk = images.reencode(encoded(Image.new("CMYK", (10, 10), (0, 255, 255, 0)), "JPEG"), **LIMITS)
    assert reopened(cmyk.original.data).mode == "RGB"
    deep = images.reencode(encoded(Image.new("I;16", (10, 10), 40_000), "PNG"), **LIMITS)
    assert reopened(deep.original.data).mode in ("RGB", "L", "I;16", "I")
    palette = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    palette.paste((255, 0, 0, 255), (0, 0, 5, 10))
    out = reopened(images.reencode(encoded(palette.quantize(4), "PNG"), **LIMITS).original.data)
    assert out.mode == "P"
    see_through = images.reencode(encoded(palette, "PNG"), **LIMITS)
    assert reopened(see_through.original.data).getpixel((8, 5))[3] == 0


# --- renditions and the content hash --------------------------------------------------------------


def test_a_wide_picture_gets_a_rendition_and_keeps_its_original():
    picture = images.reencode(encoded(Image.new("RGB", (3200, 1000), "white"), "PNG"), **LIMITS)
    assert (picture.original.width, picture.original.height) == (3200, 1000)
    assert picture.rendition is not None
    assert (picture.rendition.width, picture.rendition.height) == (1600, 500)
    assert reopened(picture.rendition.data).size == (1600, 500)


def test_a_narrow_picture_is_its_own_rendition():
    picture = images.reencode(encoded(Image.new("RGB", (1280, 720), "white"), "PNG"), **LIMITS)
    assert picture.rendition is None


def test_the_same_picture_gives_the_same_digest():
    data = encoded(Image.new("RGB", (50, 20), "navy"), "JPEG", exif=gps_exif())
    first, again = images.reencode(data, **LIMITS), images.reencode(data, **LIMITS)
    assert first.digest == again.digest and len(first.digest) == 64
    other = images.reencode(encoded(Image.new("RGB", (50, 20), "teal"), "JPEG"), **LIMITS)
    assert other.digest != first.digest


def test_a_truncated_picture_is_refused_also_after_weasyprint_is_imported(monkeypatch):
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is imported (the
    certificate PDFs import it): the check must not depend on it."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(images.Refused):
        images.reencode(encoded(Image.new("RGB", (64, 64), "red"), "PNG")[:60], **LIMITS)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint wants it
