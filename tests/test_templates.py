"""The templates keep one fragment convention, live regions that stay in the page, and no inline styles.

A partial (`_name.html`, macro files aside) is the element htmx replaces: one root element with an
id, never `extends`. An `aria-live` region (or role status/log) wraps a swapped element and is never
inside one, so a screen reader hears the new content instead of losing the region with each swap.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ALL = sorted(TEMPLATES.rglob("*.html"))
PARTIALS = [p for p in ALL if p.name.startswith("_") and p.name != "_macros.html"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LIVE_ROLES = {"status", "log"}


def name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def skeleton(source: str) -> str:
    """The HTML a template would give with every Jinja tag dropped and every expression a word:
    both branches of an `if` stay, so a root element inside a condition shows up twice."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", "", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}", "x", source, flags=re.S)


class Tree(HTMLParser):
    """Elements with their ancestors; top-level elements and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict, list[dict]]] = []  # tag, attributes, ancestors' attributes
        self.top: list[tuple[str, dict]] = []
        self.top_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, attributes, [a for _, a in self.stack]))
        if not self.stack:
            self.top.append((tag, attributes))
        if tag not in VOID:
            self.stack.append((tag, attributes))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):  # tolerate an unclosed <p> or <li>
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.stack and data.strip():
            self.top_text.append(data.strip())


def tree(path: Path) -> Tree:
    parser = Tree()
    parser.feed(skeleton(path.read_text()))
    parser.close()
    return parser


def swapped_ids() -> set[str]:
    """Every element id some hx-target names, and every partial's root id."""
    ids = set()
    for path in ALL:
        ids |= set(re.findall(r'hx-target="#([^"\s]+)"', skeleton(path.read_text())))
    for path in PARTIALS:
        roots = [a for _, a in tree(path).top if "hx-swap-oob" not in a]
        if roots and roots[0].get("id"):
            ids.add(roots[0]["id"])
    return ids


def is_live(attributes: dict) -> bool:
    return "aria-live" in attributes and attributes["aria-live"] != "off" or attributes.get("role") in LIVE_ROLES


def test_there_are_partials_to_check():
    assert len(PARTIALS) >= 15 and (TEMPLATES / "quiz/_bank_rows.html").exists()
    assert not (TEMPLATES / "quiz/bank_rows.html").exists()


@pytest.mark.parametrize("path", ALL, ids=name)
def test_no_inline_styles(path):
    assert not re.search(r"\sstyle=", path.read_text()), "move the style into static/css/portal.css"


@pytest.mark.parametrize("path", PARTIALS, ids=name)
def test_a_partial_never_extends_a_layout(path):
    assert "{% extends" not in path.read_text()


@pytest.mark.parametrize("path", PARTIALS, ids=name)
def test_a_partial_is_one_element_with_an_id(path):
    t = tree(path)
    assert not t.top_text, f"text outside the root element: {t.top_text[:3]}"
    assert t.top, "no element"
    tag, root = t.top[0]
    assert root.get("id"), f"the root <{tag}> has no id"
    assert "hx-swap-oob" not in root
    extra = [f"<{tag} id={a.get('id')}>" for tag, a in t.top[1:] if "hx-swap-oob" not in a]
    assert not extra, f"more than one root element (out-of-band pieces aside): {extra}"


@pytest.mark.parametrize("path", ALL, ids=name)
def test_no_htmx_attribute_needs_eval(path):
    """The CSP has no 'unsafe-eval', so htmx's trigger filters ([…]), hx-on and js: values cannot
    run (htmx.config.allowEval is off): a poll's condition goes into static/js (data-poll-paused-by)."""
    source = path.read_text()
    assert not re.search(r'hx-trigger="[^"]*\[', source), "a trigger filter needs eval"
    assert not re.search(r"\shx-on[:-]|hx-vals=['\"]js:|\shx-vars=", source)


def test_every_hx_target_names_an_element_that_exists():
    ids = set()
    for path in ALL:
        ids |= {a["id"] for _, a, _ in tree(path).elements if a.get("id")}
    for path in ALL:
        for target in re.findall(r'hx-target="#([^"\s]+)"', skeleton(path.read_text())):
            assert target in ids, (name(path), target)


def test_htmx_replaces_partials_whole():
    """hx-target always goes with outerHTML: the partial is the element, not its inside."""
    for path in ALL:
        for tag, a, ancestors in tree(path).elements:
            if "hx-target" in a and a["hx-target"].startswith("#"):
                swap = a.get("hx-swap") or next((p["hx-swap"] for p in reversed(ancestors) if "hx-swap" in p), "")
                assert swap.startswith("outerHTML"), (name(path), tag, a["hx-target"], swap)


@pytest.mark.parametrize("path", ALL, ids=name)
def test_live_regions_are_never_inside_a_swapped_element(path):
    swapped = swapped_ids()
    for tag, a, ancestors in tree(path).elements:
        if not is_live(a):
            continue
        assert path not in PARTIALS, f"<{tag}> is a live region inside a partial, which htmx replaces"
        inside = [p["id"] for p in (*ancestors, a) if p.get("id") in swapped]
        assert not inside, f"<{tag} aria-live> is (inside) #{inside[0]}, which htmx replaces"


def test_every_swapped_partial_sits_in_a_live_region_where_it_was_one():
    """The live regions that used to be replaced with their content now wrap it."""
    pages = {
        "search/home.html": "search/_results.html",
        "kb/article.html": "kb/_vote.html",
        "tickets/show.html": "tickets/_ledger.html",
        "tickets/new.html": "tickets/_suggestions.html",
        "approvals/form.html": "approvals/_preview.html",
        "approvals/show.html": "approvals/_route.html",
        "quiz/_macros.html": "quiz/_saved.html",
    }
    for page, partial in pages.items():
        source = (TEMPLATES / page).read_text()
        assert re.search(r'aria-live="polite">[^<]*\{%[^%]*include "' + re.escape(partial), source), page
