"""Charts as inline SVG made on the server: no JavaScript library, nothing fetched from the network.

Each chart is an image with a title and a description (role="img", aria-labelledby) and a <title> on every
bar, and the page shows the same numbers as a table beside it. Colours come from review.css classes
(series-0…5), paired with a legend, so no meaning rests on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, BOTTOM, TOP, RIGHT = 44, 28, 12, 8


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as text, e.g. "72 %" or "14"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title><desc id="{escape(chart_id)}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above the value: the top of the scale."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return float(next(f * magnitude for f in (1, 2, 5, 10) if value <= f * magnitude))


def stacked_columns(
    chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series]
) -> Markup:
    """Columns per category (e.g. day), stacked by series (e.g. channel)."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(categories), 1)
    body = [
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top:g}</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>',
        f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
    ]
    for i, category in enumerate(categories):
        x, y = LEFT + i * step, float(TOP + plot_h)
        for n, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f'<rect class="series-{n % 6}" x="{x + step * 0.1:.1f}" y="{y:.1f}" width="{max(step * 0.8, 1):.1f}" '
                f'height="{h:.1f}"><title>{escape(category)}, {escape(s.name)}: {value:g}</title></rect>'
            )
    last = len(categories) - 1
    for i in sorted({0, last // 2, last}) if categories else []:
        x = LEFT + i * step + step / 2
        anchor = "start" if i == 0 and last else "end" if i == last and last else "middle"
        body.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{escape(categories[i])}</text>'
        )
    return _svg(chart_id, title, desc, HEIGHT, body)


def horizontal_bars(chart_id: str, title: str, desc: str, bars: Sequence[Bar], maximum: float | None = None) -> Markup:
    """One bar per label, longest = `maximum` (or the largest value); the value is written after each bar."""
    row, label_w = 26, 260
    height = TOP + row * max(len(bars), 1) + 8
    top = maximum or max((b.value for b in bars), default=0) or 1
    plot_w = WIDTH - label_w - 120
    body = []
    for i, bar in enumerate(bars):
        y = TOP + i * row
        w = plot_w * bar.value / top
        label = bar.label if len(bar.label) <= 38 else bar.label[:37] + "…"
        body.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="series-0" x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" '
            f'height="{row - 8}"><title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>'
            f'<text class="value" x="{label_w + w + 6:.1f}" y="{y + 16}">{escape(bar.shown)}</text>'
        )
    return _svg(chart_id, title, desc, height, body)
