"""Pictures in articles (pure): their addresses, which ones a text shows, and who may see one.

A picture's address carries its content hash, `/kb/pictures/<32 hex>.<ext>` (the rendition pages
show) and `/kb/pictures/full/<32 hex>.<ext>` (the original), so a browser may keep it for a year.
A picture belongs to every article or chapter whose Markdown shows its address: whoever may read
one of them may see it; one nobody's text shows yet (just uploaded) is the curators'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.kb import rules

KEY_LENGTH = 32
PATH = "/kb/pictures/"
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
_NAME = re.compile(r"^([0-9a-f]{32})\.(png|jpg|webp)$")
_IN_TEXT = re.compile(r"/kb/pictures/(?:full/)?([0-9a-f]{32})\.(?:png|jpg|webp)")

# who may see a picture, widest first
PUBLIC, SIGNED_IN, CURATORS = "public", "signed_in", "curators"


def key_of(digest: str) -> str:
    return digest[:KEY_LENGTH]


def file_name(key: str, fmt: str) -> str:
    return f"{key}.{EXTENSIONS[fmt]}"


def parse_name(name: str) -> tuple[str, str] | None:
    """ "<key>.<ext>" -> (key, ext), or None for anything else."""
    match = _NAME.match(name)
    return (match.group(1), match.group(2)) if match else None


def keys_in(markdown: str) -> list[str]:
    """The pictures a text shows, in order of first appearance."""
    return list(dict.fromkeys(_IN_TEXT.findall(markdown or "")))


def markdown_for(alt: str, url: str) -> str:
    """`![alt](url)` with the alt text kept on one line and unable to close the brackets."""
    alt = " ".join((alt or "").split())
    alt = re.sub(r"([\\\[\]])", r"\\\1", alt)[:200]
    return f"![{alt}]({url})"


def alt_from_filename(filename: str) -> str:
    """A first alt text from the file's name ("登录页.png" -> "登录页"); the curator can edit it."""
    stem = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = " ".join(re.sub(r"[_\-]+", " ", stem).split())
    return "" if stem.lower() in ("", "image", "blob", "clipboard", "screenshot") else stem[:120]


@dataclass(frozen=True)
class Use:
    """An article or chapter that shows the picture, as the access rule needs it."""

    visibility: str
    published: bool
    draft_edition: bool  # a chapter of a manual edition not yet released: curators only


def audience(uses: list[Use]) -> str:
    """The widest audience of the texts that show the picture."""
    released = [u for u in uses if not u.draft_edition]

    def readable(authenticated: bool) -> bool:
        return any(
            rules.can_read(
                visibility=u.visibility, published=u.published, authenticated=authenticated, is_curator=False
            )
            for u in released
        )

    if readable(False):
        return PUBLIC
    return SIGNED_IN if readable(True) else CURATORS


def may_see(who: str, *, authenticated: bool, is_curator: bool) -> bool:
    if is_curator:
        return True
    return who == PUBLIC or (who == SIGNED_IN and authenticated)
