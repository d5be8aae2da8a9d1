"""Bar charts drawn once as SVG, inlined in the HTML page and in the PDF made from it.

Own small code rather than a plotting library: a grouped bar chart is a few rectangles, and SVG text
keeps the chart readable and searchable in the PDF. Rule served (issue 15): a chart never shows a
figure the tables withhold. A suppressed value (``None``) draws no bar and is labelled ``c`` as in
the tables, so a chart cannot reveal what suppression hid; a marker such as ``z`` (not applicable) draws
no bar either and is labelled with itself. Bars not drawn are also named in words under the chart
(``in_words``), since a missing bar reads as a zero; a chart with no figure to draw is not drawn at all,
only those words (an empty plot with an axis of 0 to 1 says nothing and looks like a count of none).

Each chart's ids start with its own prefix (``id_prefix``): a page or document with two charts must not hold two
elements of one id (invalid HTML; ``aria-labelledby`` would name the first chart's title for both, and WeasyPrint
warns "Anchor defined twice"). A document numbers its charts (``render``); a page with one chart keeps ``chart``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

SUPPRESSED_BECAUSE = ("each counts 1 or 2 pupils, or would let such a count be worked out from the totals "
                      "(DfE small-numbers practice)")
MARKERS = {"z": "not applicable"}
"""What a text in place of a figure means, as the tables say it."""

# GOV.UK Design System colours: blue, orange, green, purple, red, dark grey (contrast against white >= 3:1).
PALETTE = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 30, 60
_ID_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | str | None, ...]
    """None: suppressed, drawn as no bar marked "c"; a text (``z``): no figure to draw, marked with that text."""


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

    def _not_drawn(self, marker: str | None) -> list[str]:
        """The bars (series, category) whose value is ``marker`` (None: suppressed)."""
        return [f"{s.name}, {category}" for s in self.series
                for category, value in zip(self.categories, s.values, strict=True) if value == marker]

    @property
    def drawable(self) -> bool:
        """Whether any bar has a height: a plot of nothing but zeros and withheld figures says nothing."""
        return any(isinstance(v, int | float) and v > 0 for s in self.series for v in s.values)

    @property
    def in_words(self) -> str | None:
        """The bars the chart does not draw, said in words; None when every figure is a bar."""
        suppressed = self._not_drawn(None)
        if suppressed and len(suppressed) == len(self.series) * len(self.categories):
            return (f"All figures in this chart are suppressed because {SUPPRESSED_BECAUSE}, so no chart is "
                    "drawn; the table shows each as c.")
        said = [f"{'; '.join(suppressed)} (suppressed, shown as c, because {SUPPRESSED_BECAUSE})"] if suppressed else []
        for marker in sorted({v for s in self.series for v in s.values if isinstance(v, str)}):
            meaning = MARKERS.get(marker, "no figure")
            said.append(f"{'; '.join(self._not_drawn(marker))} ({meaning}, shown as {marker})")
        if self.drawable:
            return f"Not drawn as bars: {'. '.join(said)}." if said else None
        if any(isinstance(v, int | float) for one in self.series for v in one.values):
            said.insert(0, "every figure in it is 0" if not said else "every other figure in it is 0")
        return f"No chart is drawn: {'. '.join(said)}."


def _text(x: float, y: float, body: str, anchor: str = "middle", size: int = 11) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="#0b0c0c">{escape(body)}</text>')


def _title_id(id_prefix: str) -> str:
    """The id of the chart's title element, refused unless ``id_prefix`` is a plain name (it goes into markup)."""
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError(f"chart id prefix {id_prefix!r}: a letter, then letters, digits, - or _ (at most 61)")
    return f"{id_prefix}-title"


def bar_chart_svg(chart: BarChart, id_prefix: str = "chart") -> str:
    """The chart as an SVG element with a title for assistive technology, its ids prefixed by ``id_prefix``."""
    title_id = _title_id(id_prefix)
    known = [float(v) for s in chart.series for v in s.values if isinstance(v, int | float)]
    top = max([*known, 0.0]) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(chart.categories), 1)
    bar_w = group_w * 0.8 / max(len(chart.series), 1)
    baseline = TOP + plot_h
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-labelledby="{title_id}">',
             f'<title id="{title_id}">{escape(chart.title)}</title>',
             f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - RIGHT}" y2="{baseline}" stroke="#0b0c0c"/>',
             _text(LEFT - 6, TOP + 4, chart.value_label(top), anchor="end"),
             _text(LEFT - 6, baseline, chart.value_label(0), anchor="end")]
    for i, category in enumerate(chart.categories):
        group_x = LEFT + i * group_w + group_w * 0.1
        parts.append(_text(LEFT + (i + 0.5) * group_w, baseline + 16, category))
        for j, series in enumerate(chart.series):
            value, x = series.values[i], group_x + j * bar_w
            if not isinstance(value, int | float):
                parts.append(_text(x + bar_w / 2, baseline - 4, "c" if value is None else value))
                continue
            height = plot_h * max(value, 0.0) / top
            parts.append(f'<rect x="{x:.1f}" y="{baseline - height:.1f}" width="{bar_w * 0.95:.1f}" '
                         f'height="{height:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                         f'<title>{escape(f"{series.name}, {category}: {chart.value_label(value)}")}</title></rect>')
    parts += _legend(chart.series)
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: tuple[Series, ...]) -> list[str]:
    """A swatch and name per series, left to right, on a second line when the names are long (they must not overlap:
    a name is about 6.2 px a character at 11 px)."""
    parts: list[str] = []
    x, row = float(LEFT), 0
    for j, one in enumerate(series):
        width = 16 + 6.2 * len(one.name) + 14
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = float(LEFT), row + 1
        y = HEIGHT - 34 + 16 * row
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(_text(x + 16, y + 10, one.name, anchor="start"))
        x += width
    return parts


def chart_html(chart: BarChart, id_prefix: str = "chart") -> str:
    """The chart as the page and the PDF show it: a figure with its SVG (ids prefixed by ``id_prefix``, unique
    on the page) and, under it, what it does not draw in words; a chart with nothing to draw is only its title
    and those words."""
    words = chart.in_words
    note = f'<p class="chart-note">{escape(words)}</p>' if words else ""
    if not chart.drawable:
        return f'<div class="chart-none"><p><strong>{escape(chart.title)}</strong></p>{note}</div>'
    return f"<figure><figcaption>{escape(chart.title)}</figcaption>{bar_chart_svg(chart, id_prefix)}{note}</figure>"
