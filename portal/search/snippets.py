"""Highlighted snippets (pure): mark the query terms in a text and cut the best window around them,
or mark them in the text of a whole rendered page (an article opened from a result).

Substring matching over the folded text instead of re-segmenting every result with jieba: the
terms already come from the analyzer, and this is a hundred times cheaper per result.
"""

from __future__ import annotations

from html.parser import HTMLParser

from markupsafe import Markup, escape

from portal.search.analysis import normalize

LEAD = 20  # characters of context before the first match in a window


def spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of term occurrences; longer terms win overlaps."""
    folded = normalize(text)
    found = []
    for term in sorted(set(terms), key=len, reverse=True):
        if not term:
            continue
        start = folded.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = folded.find(term, start + len(term))
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    return merged


def best_window(text: str, marks: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The window of `width` characters that shows the most distinct matched words."""
    if not marks or len(text) <= width:
        return 0, min(len(text), width)
    best, best_start = -1, 0
    for start, _ in marks:
        lo = max(0, start - LEAD)
        seen = {text[s:e] for s, e in marks if lo <= s and e <= lo + width}
        if len(seen) > best:
            best, best_start = len(seen), lo
    return best_start, min(len(text), best_start + width)


def highlight(text: str, terms: list[str], width: int | None = 120) -> Markup:
    """Escaped text with <mark> around the terms; cut to `width` characters unless None."""
    if not text:
        return Markup("")
    marks = spans(text, terms)
    lo, hi = (0, len(text)) if width is None else best_window(text, marks, width)
    out = [Markup("…") if lo > 0 else Markup("")]
    pos = lo
    for start, end in marks:
        if start < lo or end > hi:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:hi]))
    if hi < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


class _Marker(HTMLParser):
    """Copies sanitised HTML, marking terms in its text only: tags and their attributes are
    copied as they were written, text is unescaped, marked and escaped again."""

    def __init__(self, terms: list[str]):
        super().__init__(convert_charrefs=True)
        self.terms = terms
        self.out: list[str] = []
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        marked = highlight(data, self.terms, width=None)
        self.count += marked.count("<mark>")
        self.out.append(marked)


def mark_html(html: str, terms: list[str]) -> tuple[Markup, int]:
    """`html` (already sanitised) with <mark> around the terms wherever they occur in its text,
    never inside a tag, an attribute or across an element boundary; and how many were marked."""
    terms = [t for t in terms if t]
    if not terms or not html:
        return Markup(html), 0
    marker = _Marker(terms)
    marker.feed(html)
    marker.close()
    # words next to each other (忘记|密码) read as one mark; text was escaped, so "</mark>" is ours
    return Markup("".join(marker.out).replace("</mark><mark>", "")), marker.count
