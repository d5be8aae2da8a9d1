"""What the Partnership lead's and the Schools Forum's report pages share: the periods a filter offers, the
reporting service's address for each report and filter, a published table drawn as a chart, and the downloads.

Rules served: the reporting service decides who reads which report (policy RPT-NP-1/2, RPT-LA-1, RPT-SF-1) and
which periods it publishes (report.fixed_period, report.year_range_limit); a filter value the page does not
offer is a field error here and nothing is asked of the service. A chart shows only what the table shows: a
withheld figure (``c``) or one not applicable (``z``) draws no bar, and a chart with no bar to draw is not drawn but
said in words (the documents layer's ``chart_html``, as the report documents show it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ap_runtime.documents import BarChart, Series, chart_html, label_words
from ap_web.pages import SCHOOL_CLOCK
from ap_web.refusals import FieldError

TERMS = {"autumn": "Autumn term", "spring": "Spring term", "summer": "Summer term"}
#: The formats of the partnership, annual and strategy reports (the reporting service's ``format=``).
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "pdf": "PDF", "html": "Web page (HTML)", "json": "JSON"}
#: The Schools Forum tables come as JSON or CSV only.
FORUM_FORMATS = {"csv": "CSV", "json": "JSON"}
BANDS = {"cumulative": "Cumulative (as the Forum's paper sets them out)", "exclusive": "Each band on its own"}
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8"}
YEARS_OFFERED = 5
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def this_academic_year(today: date | None = None) -> int:
    """The first calendar year of the academic year (September to August) today is in, in England."""
    day = today or datetime.now(SCHOOL_CLOCK).date()
    return day.year if day.month >= 9 else day.year - 1


def years_offered() -> list[str]:
    """The academic years the filters offer, the latest first, as the address writes them (``2025-26``)."""
    first = this_academic_year()
    return [f"{start}-{(start + 1) % 100:02d}" for start in range(first, first - YEARS_OFFERED, -1)]


def service_year(year: str) -> str:
    """``2025-26`` as the reporting service writes it: ``2025/26``."""
    return year.replace("-", "/")


def year_label(year: str) -> str:
    return f"{year[:4]} to {year[:2]}{year[5:]}"


@dataclass(frozen=True)
class Filters:
    """The filter form's values (the first offered when absent) and the problems with them."""

    values: dict[str, str]
    errors: list[FieldError]


def chosen(query: dict[str, str], fields: dict[str, dict[str, str]], defaults: dict[str, str]) -> Filters:
    """Each field's value from the query (its default when absent); one not offered is a field error."""
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, offered in fields.items():
        value = query.get(name) or defaults[name]
        if value not in offered:
            errors.append(FieldError(name, f"Choose a {name.replace('_', ' ')} from the list"))
            value = defaults[name]
        values[name] = value
    return Filters(values, errors)


def year_choices() -> dict[str, str]:
    return {year: year_label(year) for year in years_offered()}


def years_in_order(values: dict[str, str]) -> list[FieldError]:
    """A range's first year must not come after its last."""
    if values["from_year"] > values["to_year"]:
        return [FieldError("to_year", "The last year must be the same as or after the first year")]
    return []


def _number(value: object) -> float | None:
    """A figure as a number; ``c`` (withheld) and ``z`` (not applicable) are none (a decimal comes as text)."""
    if isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value)))
    except ArithmeticError:
        return None


def table_chart(table: dict[str, Any]) -> str:
    """A published table as grouped bars (rows as groups, columns as bars; a withheld figure no bar, marked
    ``c``, and named in words under it; every figure withheld: no plot, only those words); empty for a table
    without rows or columns."""
    columns = list(table.get("column_labels") or [])
    rows = list(table.get("row_labels") or [])
    cells = table.get("cells") or []
    if not columns or not rows:
        return ""
    series = tuple(Series(label_words(str(column)), tuple(_number(row[index]) for row in cells))
                   for index, column in enumerate(columns))
    return chart_html(BarChart(f"{table.get('title', '')} ({table.get('unit', '')})",
                               tuple(str(row) for row in rows), series))


def file_name(stem: str, fmt: str) -> str:
    return f"{stem}.{fmt}"
