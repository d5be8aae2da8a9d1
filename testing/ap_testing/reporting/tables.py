"""Checks every published table must pass (used by the unit and integration tests)."""

from __future__ import annotations

from ap_reporting.domain.published import Table


def visible_ints(table: Table) -> list[int]:
    return [v for v in table.values() if isinstance(v, int)]


def assert_agrees(table: Table, truth: list[list[int]]) -> None:
    """Every value shown equals the true count (the suppression hides, it never alters)."""
    rows = [[*row, sum(row)] for row in truth]
    rows.append([sum(row[j] for row in rows) for j in range(len(rows[0]))])
    shown = [[*cells, total] for cells, total in zip(table.cells, table.row_totals, strict=True)]
    shown.append([*table.column_totals, table.grand_total])
    for shown_row, true_row in zip(shown, rows, strict=True):
        for value, true in zip(shown_row, true_row, strict=True):
            assert value in ("c", true), (table.name, value, true)


def assert_publishable(table: Table) -> None:
    """No 1 or 2 shown anywhere, and every fully visible line adds up to its visible total."""
    assert not {1, 2} & set(visible_ints(table)), table
    for row, total in zip(table.cells, table.row_totals, strict=True):
        if isinstance(total, int) and all(isinstance(v, int) for v in row):
            assert sum(v for v in row if isinstance(v, int)) == total, table.name
    for j, total in enumerate(table.column_totals):
        column = [row[j] for row in table.cells]
        if isinstance(total, int) and all(isinstance(v, int) for v in column):
            assert sum(v for v in column if isinstance(v, int)) == total, table.name
