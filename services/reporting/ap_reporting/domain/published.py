"""Tables as they may leave the organisation: counts through the one shared suppression function.

Rule served (STATUTORY.md, small numbers): counts of 1 or 2 are shown as ``c`` with secondary
suppression so no hidden cell can be worked out from the totals. Every count table a published
report holds is made by ``publish``, which calls ``ap_runtime.privacy.suppression.suppress_table``
and nothing else decides what is hidden. A figure derived from pupil counts (days lost by the
pupils in a cell) is published with exactly the pattern the pupil counts were given
(``publish_derived``), because a value computed from 1 or 2 pupils must be hidden too, and the
same pattern keeps it from being recovered from its totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ap_runtime.privacy.suppression import SUPPRESSED, PublishedTable, suppress_table

Value = int | Decimal | Literal["c", "z"]


class Table(BaseModel):
    """One published table with its row, column and grand totals."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str
    unit: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Value, ...], ...]
    row_totals: tuple[Value, ...]
    column_totals: tuple[Value, ...]
    grand_total: Value

    def values(self) -> list[Value]:
        """Every published number, totals included."""
        return [*(v for row in self.cells for v in row), *self.row_totals, *self.column_totals, self.grand_total]


Counts = Mapping[tuple[str, str], int]


def grid(counts: Counts, rows: Sequence[str], columns: Sequence[str]) -> list[list[int]]:
    """A rows x columns grid from sparse counts keyed by (row label, column label)."""
    unknown = {key for key in counts if key[0] not in rows or key[1] not in columns}
    if unknown:
        raise ValueError(f"counts outside the table's rows and columns: {sorted(unknown)}")
    return [[counts.get((r, c), 0) for c in columns] for r in rows]


def publish(name: str, title: str, unit: str, rows: Sequence[str], columns: Sequence[str],
            counts: Counts) -> tuple[Table, PublishedTable]:
    """The table as published, and the suppression pattern it got (for derived figures)."""
    suppressed = suppress_table(grid(counts, rows, columns))
    table = Table(name=name, title=title, unit=unit, row_labels=tuple(rows), column_labels=tuple(columns),
                  cells=suppressed.cells, row_totals=suppressed.row_totals, column_totals=suppressed.column_totals,
                  grand_total=suppressed.grand_total)
    return table, suppressed


def publish_derived(name: str, title: str, unit: str, pattern: PublishedTable, base: Table,
                    values: Mapping[tuple[str, str], Decimal]) -> Table:
    """Figures computed from the pupils counted in ``base``, hidden wherever ``base`` is hidden."""
    rows, columns = base.row_labels, base.column_labels
    cells = [[values.get((r, c), Decimal(0)) for c in columns] for r in rows]

    def shown(hidden: object, value: Decimal) -> Value:
        return SUPPRESSED if hidden == SUPPRESSED else value

    return Table(
        name=name, title=title, unit=unit, row_labels=rows, column_labels=columns,
        cells=tuple(tuple(shown(pattern.cells[i][j], cells[i][j]) for j in range(len(columns)))
                    for i in range(len(rows))),
        row_totals=tuple(shown(pattern.row_totals[i], sum(cells[i], Decimal(0))) for i in range(len(rows))),
        column_totals=tuple(shown(pattern.column_totals[j], sum((row[j] for row in cells), Decimal(0)))
                            for j in range(len(columns))),
        grand_total=shown(pattern.grand_total, sum((v for row in cells for v in row), Decimal(0))),
    )
