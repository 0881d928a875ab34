"""Markdown to safe HTML, a table of contents from its headings, and plain text for search."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


# Pictures come from this site only: uploaded ones and the portal's own static files. No other host
# (a reader's address would reach it), no scheme (javascript:, data:), no way out of these folders
# (../, %2e%2e, backslashes), no query.
IMAGE_PREFIXES = ("/kb/pictures/", "/static/")
_IMAGE_PATH = re.compile(r"^[A-Za-z0-9._~%/-]+$")


def allowed_image(src: str) -> bool:
    if not src.startswith(IMAGE_PREFIXES) or not _IMAGE_PATH.match(src):
        return False
    decoded = unquote(src)
    return "\\" not in decoded and not any(part in (".", "..") for part in decoded.split("/"))


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not allowed_image(value):
        return None
    return value


def slugify(title: str) -> str:
    """Anchor ids that keep Chinese: "1.2 修改密码" -> "1-2-修改密码"."""
    slug = re.sub(r"[^\w\u4e00-\u9fff]+", "-", title.strip().lower()).strip("-")
    return slug or "section"


_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
    .use(anchors_plugin, min_level=2, max_level=3, slug_func=slugify, permalink=False)
)


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    anchor: str


def render(source: str) -> str:
    """Sanitized HTML: raw HTML is escaped by the parser and nh3 removes anything unsafe left."""
    html = _md.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
    )


def toc(source: str) -> list[Heading]:
    tokens = _md.parse(source or "")
    headings = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3"):
            inline = tokens[i + 1]
            headings.append(Heading(int(tok.tag[1]), inline.content, tok.attrs.get("id", "")))
    return headings


def plain_text(source: str) -> str:
    """The words a reader sees, without Markdown syntax, for indexing and snippets."""
    html = _md.render(source or "")
    text = nh3.clean(html, tags=set(), attributes={})
    text = html_lib.unescape(text)
    return re.sub(r"\s+", " ", text).strip()
