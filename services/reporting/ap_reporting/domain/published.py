"""Tables as they may leave the organisation: counts through the one shared suppression function.

Rule served (STATUTORY.md, small numbers): counts of 1 or 2 are shown as ``c`` with secondary
suppression so no hidden cell can be worked out from the totals. Every count table a published
report holds is made by ``publish``, which calls ``ap_runtime.privacy.suppression.suppress_table``
and nothing else decides what is hidden. A figure derived from pupil counts (days lost by the
pupils in a cell) is published with exactly the pattern the pupil counts were given
(``publish_derived``), because a value computed from 1 or 2 pupils must be hidden too, and the
same pattern keeps it from being recovered from its totals.

Across tables and periods (rule report.fixed_period and the attacker tests in ``tests/``): tables of one
report that publish the same figure (two breakdowns of the placements ended, by phase) are
suppressed together (``publish_together``), so a figure one hides the other hides too. A table over
several periods is stacked from the single-period rows already published (``stack_rows``): a
multi-period total is shown only when it is the sum of figures shown, so asking for overlapping
ranges, or for a range and its years, tells a reader nothing the single years do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ap_runtime.privacy.suppression import SUPPRESSED, Cell, PublishedTable, hidden_cells, suppress_table

Value = int | Decimal | Literal["c", "z"]


class ReportModel(BaseModel):
    """Base of every report and table the service publishes: immutable, and nothing beyond its declared fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Table(ReportModel):
    """One published table with its row, column and grand totals."""

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
            counts: Counts, also_hidden: Sequence[Cell] | set[Cell] = ()) -> tuple[Table, PublishedTable]:
    """The table as published, and the suppression pattern it got (for derived figures)."""
    suppressed = suppress_table(grid(counts, rows, columns), also_hidden=also_hidden)
    if not rows:  # no row yet (no panel area): each column's total is 0, a width an empty grid cannot carry
        suppressed = replace(suppressed, column_totals=tuple(0 for _ in columns))
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


@dataclass(frozen=True, slots=True)
class TableSpec:
    """What one table counts, before suppression."""

    name: str
    title: str
    unit: str
    rows: Sequence[str]
    columns: Sequence[str]
    counts: Counts = field(default_factory=dict)

    def grand_total(self) -> Cell:
        return (len(self.rows), len(self.columns))

    def column_margin(self) -> list[Cell]:
        """The column totals and the grand total, as cells of the extended grid."""
        return [(len(self.rows), c) for c in range(len(self.columns) + 1)]


Link = tuple[tuple[int, Cell], tuple[int, Cell]]


def publish_together(specs: Sequence[TableSpec], links: Sequence[Link]) -> list[tuple[Table, PublishedTable]]:
    """Tables whose linked cells publish the same figure (or one a reader can equate), suppressed so
    that a linked cell hidden in one table is hidden in the other; repeated until both agree."""
    forced: list[set[Cell]] = [set() for _ in specs]
    while True:
        published = [publish(s.name, s.title, s.unit, s.rows, s.columns, s.counts, also_hidden=forced[i])
                     for i, s in enumerate(specs)]
        hidden = [hidden_cells(pattern) for _, pattern in published]
        grew = False
        for (i, a), (j, b) in links:
            if (a in hidden[i]) != (b in hidden[j]):
                forced[i].add(a)
                forced[j].add(b)
                grew = True
        if not grew:
            return published


def shared_column_margins(first: int, a: TableSpec, second: int, b: TableSpec) -> list[Link]:
    """Links for two tables with the same columns counting the same things (same column totals)."""
    if list(a.columns) != list(b.columns):
        raise ValueError(f"{a.name} and {b.name} do not share their columns")
    return [((first, x), (second, y)) for x, y in zip(a.column_margin(), b.column_margin(), strict=True)]


def _derived_sum(values: Sequence[Value]) -> Value:
    """A total shown only when every figure it adds up is shown (so it tells nothing new)."""
    total: int | Decimal = 0
    for v in values:
        if isinstance(v, str):
            return SUPPRESSED
        total += v
    return total


def stack_rows(name: str, title: str, unit: str, row_labels: Sequence[str], rows: Sequence[Table]) -> Table:
    """A table whose rows are one-row tables already published (one academic year each), with
    column and grand totals over the rows shown only where they add up figures shown."""
    if len(rows) != len(row_labels) or any(len(t.cells) != 1 for t in rows):
        raise ValueError("stack one published one-row table per row label")
    columns = rows[0].column_labels if rows else ()
    if any(t.column_labels != columns for t in rows):
        raise ValueError("stacked rows need the same columns")
    cells = tuple(t.cells[0] for t in rows)
    row_totals = tuple(t.row_totals[0] for t in rows)
    column_totals = tuple(_derived_sum([row[j] for row in cells]) for j in range(len(columns)))
    grand = _derived_sum(row_totals)
    if grand == SUPPRESSED and column_totals:
        grand = _derived_sum(column_totals)
    return Table(name=name, title=title, unit=unit, row_labels=tuple(row_labels), column_labels=columns,
                 cells=cells, row_totals=row_totals, column_totals=column_totals, grand_total=grand)


def figures(tables: Sequence[Table]) -> dict[str, str]:
    """Every published figure of ``tables`` by where it stands (``table / row / column``), as the CSV shows it:
    what two editions of a report are compared by (``ap_runtime.reports.changed_figures``)."""
    found: dict[str, str] = {}
    for t in tables:
        for row, values, row_total in zip(t.row_labels, t.cells, t.row_totals, strict=True):
            found.update({f"{t.title} / {row} / {column}": str(v)
                          for column, v in zip(t.column_labels, values, strict=True)})
            found[f"{t.title} / {row} / Total"] = str(row_total)
        found.update({f"{t.title} / Total / {column}": str(v)
                      for column, v in zip(t.column_labels, t.column_totals, strict=True)})
        found[f"{t.title} / Total / Total"] = str(t.grand_total)
    return found
