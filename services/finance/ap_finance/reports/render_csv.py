"""Any finance report as tidy CSV: one figure per row, the same figures as its JSON.

Columns: section, line, measure, value, unit, display. A school's rows are labelled ``Name (id)`` (or
``id (no name on the register)``), an allocation's rows ``allocation N method``. Money is ``value`` in whole pence (unit
``pence``) with ``display`` in pounds (``£1,234.56``); suppressed figures are ``c``. Numbers are
written as numbers and every row goes through ``ap_runtime.spreadsheet``: text a spreadsheet would
run as a formula (a note or label beginning with ``=``, a displayed ``-£15.00``) gets a leading quote.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from ap_contracts.money import format_pounds
from ap_finance.reports.models import ReportModel
from ap_finance.reports.xlsx_layout import named
from ap_runtime.spreadsheet import SafeCsvWriter

COLUMNS = ("section", "line", "measure", "value", "unit", "display")
_LINE_KEYS = ("line", "funding_source", "school_id", "item_kind")
_UNITS = {"placements": "count", "pupil_days": "days"}

Row = tuple[str, str, str, str | int, str, str]  # value: a number stays a number


def _unit(key: str) -> str:
    return "pence" if key.endswith("_pence") else _UNITS.get(key, "")


def _scalar(section: str, line: str, key: str, value: Any) -> Row:
    unit = _unit(key)
    measure = key.removesuffix("_pence")
    if value is None:
        return (section, line, measure, "", unit, "")
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    shown = format_pounds(value) if unit == "pence" and isinstance(value, int) else str(value)
    number = isinstance(value, int) and not isinstance(value, bool)
    return (section, line, measure, value if number else str(value), unit, shown)


def _mapping(section: str, line: str, values: Mapping[str, Any], prefix: str = "") -> Iterator[Row]:
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _mapping(section, line, value, f"{prefix}{key}.")
        elif key not in _LINE_KEYS or prefix:
            yield _scalar(section, line, prefix + key, value)


def _line_of(item: Mapping[str, Any], index: int | None) -> str:
    """A row's label: an allocation's rows by allocation number and method, a school's by its registered
    name and id (``Name (id)``, or the id marked as having no name), the other rows by their line keys."""
    parts = [f"allocation {item['allocation']}"] if "allocation" in item else []
    if "allocation" in item and "method" in item:
        parts.append(str(item["method"]))
    parts += [named(str(item[key]), item.get("school_name")) if key == "school_id" else str(item[key])
              for key in _LINE_KEYS if key in item]
    if parts:
        return " ".join(parts)
    return "" if index is None else str(index + 1)


def rows(report: ReportModel) -> Iterator[Row]:
    """Every figure of the report, in the order of its JSON."""
    for section, value in report.model_dump(mode="json").items():
        if section == "report":
            continue
        if section == "notes":
            for index, note in enumerate(value):
                yield ("notes", str(index + 1), "note", note, "", note)
        elif isinstance(value, dict):
            yield from _mapping(section, _line_of(value, None), value)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from _mapping(section, _line_of(item, index), item)
        else:
            yield _scalar("report", "", section, value)


def render_csv(report: ReportModel) -> str:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(report))
    return buffer.getvalue()
