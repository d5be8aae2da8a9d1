"""Bar charts drawn once as SVG, inlined in the HTML page and in the PDF made from it.

Own small code rather than a plotting library: a grouped bar chart is a few rectangles, and SVG text
keeps the chart readable and searchable in the PDF. Rule served (issue 15): a chart never shows a
figure the tables withhold. A suppressed value (``None``) draws no bar and is labelled ``c`` as in
the tables, so a chart cannot reveal what suppression hid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

# GOV.UK Design System colours: blue, orange, green, purple, red, dark grey (contrast against white >= 3:1).
PALETTE = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 30, 60


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # None: suppressed (or not known), drawn as no bar marked "c"


@dataclass(frozen=True)
class BarChart:
    """Grouped bars: one group per category, one bar per series."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_label: Callable[[float], str] = lambda value: f"{value:,.0f}"

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"chart {self.title!r}: series {series.name!r} has {len(series.values)} values "
                                 f"for {len(self.categories)} categories")


def _text(x: float, y: float, body: str, anchor: str = "middle", size: int = 11) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="#0b0c0c">{escape(body)}</text>')


def bar_chart_svg(chart: BarChart) -> str:
    """The chart as an SVG element with a title and description for assistive technology."""
    known = [v for s in chart.series for v in s.values if v is not None]
    top = max([*known, 0.0]) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(chart.categories), 1)
    bar_w = group_w * 0.8 / max(len(chart.series), 1)
    baseline = TOP + plot_h
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-labelledby="chart-title">',
             f'<title id="chart-title">{escape(chart.title)}</title>',
             f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - RIGHT}" y2="{baseline}" stroke="#0b0c0c"/>',
             _text(LEFT - 6, TOP + 4, chart.value_label(top), anchor="end"),
             _text(LEFT - 6, baseline, chart.value_label(0), anchor="end")]
    for i, category in enumerate(chart.categories):
        group_x = LEFT + i * group_w + group_w * 0.1
        parts.append(_text(LEFT + (i + 0.5) * group_w, baseline + 16, category))
        for j, series in enumerate(chart.series):
            value, x = series.values[i], group_x + j * bar_w
            if value is None:
                parts.append(_text(x + bar_w / 2, baseline - 4, "c"))
                continue
            height = plot_h * max(value, 0.0) / top
            parts.append(f'<rect x="{x:.1f}" y="{baseline - height:.1f}" width="{bar_w * 0.95:.1f}" '
                         f'height="{height:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                         f'<title>{escape(f"{series.name}, {category}: {chart.value_label(value)}")}</title></rect>')
    legend_step = (WIDTH - LEFT) / max(len(chart.series), 1)
    for j, series in enumerate(chart.series):
        x = LEFT + j * legend_step
        parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - 22}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(_text(x + 16, HEIGHT - 12, series.name, anchor="start"))
    parts.append("</svg>")
    return "".join(parts)
