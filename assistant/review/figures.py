"""The analytics as figures for a page: an SVG chart plus the same numbers as a table (its text alternative)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from assistant.review.analytics import Analytics
from assistant.review.charts import Bar, Series, horizontal_bars, stacked_columns


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    svg: Markup
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    legend: tuple[str, ...] = ()  # series names, in colour order


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def analytics_figures(a: Analytics, t: dict[str, str]) -> list[Figure]:
    figures = [_per_day(a, t), _answered(a, t)]
    if a.reasons:
        reasons = [Bar(reason, n, str(n)) for reason, n in a.reasons.most_common()]
        figures.append(_bars("chart-reasons", t["rv_chart_reasons"], t["rv_reason"], t["rv_count"], reasons, t))
    if a.negative_pages:
        pages = [Bar(p.title, p.count, str(p.count)) for p in a.negative_pages]
        figures.append(_bars("chart-negative", t["rv_negative_pages"], t["rv_page"], t["rv_rated_down"], pages, t))
    return figures


def _per_day(a: Analytics, t: dict[str, str]) -> Figure:
    labels = [d.isoformat() for d in a.days]
    series = [Series(c, [a.per_day[d][c] for d in a.days]) for c in a.channels]
    busiest = max(a.days, key=lambda d: sum(a.per_day[d].values()))
    desc = t["rv_chart_per_day_desc"].format(
        total=a.questions,
        start=labels[0],
        end=labels[-1],
        day=busiest.isoformat(),
        most=sum(a.per_day[busiest].values()),
        channels=", ".join(a.channels) or "–",
    )
    svg = stacked_columns("chart-per-day", t["rv_chart_per_day"], desc, labels, series)
    rows = tuple((d, *(str(a.per_day[day][c]) for c in a.channels)) for d, day in zip(labels, a.days, strict=True))
    return Figure("chart-per-day", t["rv_chart_per_day"], svg, (t["rv_day"], *a.channels), rows, tuple(a.channels))


def _answered(a: Analytics, t: dict[str, str]) -> Figure:
    bars = [
        Bar(c, ans / n if n else 0, f"{percent(ans / n if n else None)} ({ans}/{n})")
        for c, (ans, n) in a.answered_by_channel.items()
    ]
    desc = t["rv_chart_answered_desc"].format(share=percent(a.share_answered), answered=a.answered, total=a.questions)
    svg = horizontal_bars("chart-answered", t["rv_chart_answered"], desc, bars, maximum=1.0)
    rows = tuple((b.label, b.shown) for b in bars)
    return Figure("chart-answered", t["rv_chart_answered"], svg, (t["rv_channel"], t["rv_share_answered"]), rows)


def _bars(chart_id: str, title: str, label: str, value: str, bars: list[Bar], t: dict[str, str]) -> Figure:
    desc = "; ".join(f"{b.label}: {b.shown}" for b in bars)
    svg = horizontal_bars(chart_id, title, desc, bars)
    return Figure(chart_id, title, svg, (label, value), tuple((b.label, b.shown) for b in bars))
