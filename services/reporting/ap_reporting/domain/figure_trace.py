"""A published figure traced to the events behind it (issue 15: "each figure in the HTML view can be traced to the
events behind it, for users allowed to see them").

Rule served (STATUTORY.md, small numbers; rule report.trace_shown_cells): only a shown cell of a table is traced.
A suppressed ``c`` or a not-applicable ``z`` has no trace (its trace would count what the table hides), and no
row, column or grand total has one either: a total's trace beside the traces of its shown cells would subtract
to the records of a hidden cell. A trace lists the ids of the events behind the cell (a pupil-record entry's
record id, which is its event id, or a placement's id, which names its stream): no pupil data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from ap_reporting.domain.published import ReportModel, Table

Cell = tuple[str, str]


class FigureTrace(ReportModel):
    """One shown figure and the events it was counted from, in a stable order."""

    report: str
    table: str
    row: str
    column: str
    figure: int | Decimal
    record_kind: str
    records: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class TracedTable:
    """A published table with the records behind each of its cells (keyed by row and column label)."""

    table: Table
    record_kind: str
    records: Mapping[Cell, Sequence[UUID]]


def shown_figure(table: Table, row: str, column: str) -> int | Decimal | None:
    """The figure shown in the cell at ``row`` and ``column``, or None (hidden, not applicable, no such cell)."""
    if row not in table.row_labels or column not in table.column_labels:
        return None
    value = table.cells[table.row_labels.index(row)][table.column_labels.index(column)]
    return None if isinstance(value, str) else value


def trace_figure(report: str, traced: Sequence[TracedTable], table: str, row: str, column: str) -> FigureTrace | None:
    """The trace of one shown cell, or None: the same answer for a hidden cell, a total and a cell that is not there."""
    for candidate in traced:
        if candidate.table.name != table:
            continue
        figure = shown_figure(candidate.table, row, column)
        if figure is None:
            return None
        return FigureTrace(report=report, table=table, row=row, column=column, figure=figure,
                           record_kind=candidate.record_kind,
                           records=tuple(sorted(candidate.records.get((row, column), ()))))
    return None


def traceable_cells(table: Table) -> set[Cell]:
    """The cells of ``table`` worth a link to their trace: the shown ones but zeros (no event behind them), no total."""
    return {(row, column) for row in table.row_labels for column in table.column_labels
            if shown_figure(table, row, column) not in (None, 0)}
