"""Horizontal bar charts as inline SVG, built on the server: no JavaScript, nothing from a CDN.

Each chart is a <figure class="chart"> holding an <svg role="img"> (its <title> names the chart,
its <desc> lists the values) and the same numbers as a visually hidden table for screen readers.
The SVG is drawn for the chart area of a 360-pixel-wide phone (viewBox) and scales to its box (width 100%);
portal.css caps the width so the text does not grow large on a desktop.

Every label is placed above its bar, so long template or department names need no left column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320  # viewBox width: the chart area of a 360-pixel phone screen
PAD = 4
VALUE_ROOM = 60  # right of the longest bar, for its value label
ROW = 40  # label line + bar
BAR_HEIGHT = 14
LABEL_MAX = 24  # characters drawn in the SVG; the table and the bar's tooltip have it all
TONES = {"brand": "#b4232a", "warn": "#b26b00", "ok": "#1f7a3d"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as a dash, no bar)
    text: str = ""  # the value as people read it ("12.5 h", "33%"); default: the number


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    max_value: float | None = None,
    tone: str = "brand",
    label_header: str = "",
    value_header: str = "",
    empty_text: str = "",
) -> Markup:
    """An accessible horizontal bar chart. `max_value` fixes the scale (e.g. 1.0 for shares);
    otherwise the largest value fills the width. Texts are escaped here."""
    cid = escape(chart_id)
    if not bars:
        return Markup(
            '<figure class="chart" id="{cid}"><figcaption>{t}</figcaption><p class="muted small">{e}</p></figure>'
        ).format(cid=cid, t=title, e=empty_text)
    values = [b.value for b in bars if b.value is not None]
    top = max_value if max_value else max([v for v in values if v > 0], default=0) or 1
    span = WIDTH - 2 * PAD - VALUE_ROOM
    height = ROW * len(bars) + PAD
    fill = TONES.get(tone, TONES["brand"])
    texts = [b.text or _fmt(b.value) for b in bars]
    desc = "; ".join(f"{b.label}: {t}" for b, t in zip(bars, texts))
    out = [
        Markup(
            '<figure class="chart" id="{cid}"><figcaption>{title}</figcaption>'
            '<svg role="img" aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {w} {h}" '
            'width="100%" preserveAspectRatio="xMinYMin meet" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg">'
            '<title id="{cid}-title">{title}</title><desc id="{cid}-desc">{desc}</desc>'
        ).format(cid=cid, w=WIDTH, h=height, title=title, desc=desc)
    ]
    for i, (bar, text) in enumerate(zip(bars, texts)):
        y = PAD + i * ROW
        share = 0.0 if bar.value is None or bar.value <= 0 else min(bar.value / top, 1.0)
        length = round(span * share, 1)
        if bar.value is not None and bar.value > 0:
            length = max(length, 2)  # a small value stays visible
        bar_y = y + ROW - BAR_HEIGHT - 6
        out.append(
            Markup(
                '<g class="row"><title>{label}: {text}</title>'
                '<text class="label" x="{x}" y="{ly}" font-size="13">{short}</text>'
                '<rect class="track" x="{x}" y="{by}" width="{span}" height="{bh}" rx="2" fill="#f0f1f3"/>'
                '<rect class="bar {tone}" x="{x}" y="{by}" width="{len}" height="{bh}" rx="2" fill="{fill}"/>'
                '<text class="value" x="{vx}" y="{vy}" font-size="13">{text}</text></g>'
            ).format(
                label=bar.label,
                text=text,
                short=_short(bar.label),
                x=PAD,
                ly=y + 13,
                by=bar_y,
                span=span,
                bh=BAR_HEIGHT,
                tone=escape(tone),
                len=length,
                fill=fill,
                vx=PAD + length + 6,
                vy=bar_y + BAR_HEIGHT - 3,
            )
        )
    out.append(Markup("</svg>"))
    out.append(
        Markup(
            '<div class="sr"><table><caption>{t}</caption><thead><tr><th scope="col">{lh}</th>'
            '<th scope="col">{vh}</th></tr></thead><tbody>'
        ).format(t=title, lh=label_header, vh=value_header)
    )
    for bar, text in zip(bars, texts):
        out.append(Markup('<tr><th scope="row">{l}</th><td>{v}</td></tr>').format(l=bar.label, v=text))
    out.append(Markup("</tbody></table></div></figure>"))
    return Markup("").join(out)
