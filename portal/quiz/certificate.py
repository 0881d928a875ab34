"""The certificate as a document: its verification code, its state, and its PDF (WeasyPrint, Noto
CJK fonts, the logo and a QR code that opens the verification page). A renderer: a certificate in,
bytes out; it writes nothing (issuing and revoking are `certificates.py`, which calls it, never the
other way round). Rendering needs an app and a request context (for the reader's language and the
company time zone); nothing here touches the network."""

from __future__ import annotations

import base64
import functools
import re
import secrets
from decimal import Decimal
from pathlib import Path

import segno
from flask import render_template
from flask_babel import format_date, format_decimal

from portal.config import REPO_ROOT
from portal.core.clock import utcnow
from portal.quiz.labels import level_label

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S, 8/B and U/V are left out, so a code read off paper
# can be typed back without guessing. 12 characters of 26 are about 56 bits.
ALPHABET = "2346789ACDEFGHJKMNPQRTVWXY"
PREFIX = "QZ"
GROUPS, GROUP_LEN = 3, 4
CODE_RE = re.compile(rf"^{PREFIX}(?:-[{ALPHABET}]{{{GROUP_LEN}}}){{{GROUPS}}}$")
LOGO = REPO_ROOT / "static" / "img" / "logo.svg"


def new_code() -> str:
    """A fresh verification code such as "QZ-7K4M-9TXD-2PHF" (the caller keeps it unique)."""
    groups = ("".join(secrets.choice(ALPHABET) for _i in range(GROUP_LEN)) for _g in range(GROUPS))
    return "-".join((PREFIX, *groups))


def normalize_code(raw: str | None) -> str | None:
    """The stored form of a typed or scanned code: any case, with or without dashes and spaces,
    with or without the "QZ" prefix. None when it cannot be a code at all."""
    compact = re.sub(r"[\s\-_]+", "", raw or "").upper()
    body_len = GROUPS * GROUP_LEN
    if len(compact) == body_len + len(PREFIX) and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != body_len:
        return None
    code = "-".join([PREFIX] + [compact[i : i + GROUP_LEN] for i in range(0, body_len, GROUP_LEN)])
    return code if CODE_RE.match(code) else None


def status(certificate, now=None) -> str:
    """valid | expired | revoked (revoked wins: it says more than a date)."""
    if certificate.revoked:
        return "revoked"
    if certificate.expires_at <= (now or utcnow()):
        return "expired"
    return "valid"


def score_text(score) -> str:
    """86.50 -> "86.5%" in the reader's number format."""
    return format_decimal(Decimal(score), format="#,##0.#") + "%"


@functools.cache
def _logo_uri(path: Path = LOGO) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def qr_data_uri(url: str) -> str:
    # Dark modules in the site's ink colour on white, with the standard four-module quiet zone.
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4, dark="#1f2329", light="#ffffff")


def pdf_filename(certificate) -> str:
    return f"certificate-{certificate.code}.pdf"


def render_html(certificate, verify_url: str) -> str:
    """In the company's language (Simplified Chinese by default) whatever the reader's UI language:
    a certificate is an official document and reads the same for everyone."""
    from flask import current_app
    from flask_babel import force_locale

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _render_html(certificate, verify_url)


def _render_html(certificate, verify_url: str) -> str:
    user = certificate.user
    return render_template(
        "quiz/certificate_pdf.html",
        cert=certificate,
        holder=user.display_name or user.username,
        department=user.department.name if user.department else "",
        level=level_label(certificate.level),
        score=score_text(certificate.score),
        issued=format_date(certificate.issued_at, "long"),
        valid_until=format_date(certificate.expires_at, "long"),
        state=status(certificate),
        logo_uri=_logo_uri(),
        qr_uri=qr_data_uri(verify_url),
        verify_url=verify_url,
    )


def render_pdf(certificate, verify_url: str) -> bytes:
    """The certificate as a one-page A4 landscape PDF. `verify_url` is the absolute address of the
    verification page with this code filled in; the QR code encodes it."""
    from weasyprint import HTML, URLFetcher  # here: the rest of the portal starts without pango

    html = render_html(certificate, verify_url)
    # the logo and the QR code are data: URIs; anything else would be a mistake, never a fetch
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
