"""A published table with no row yet (the Schools Forum's Fair Access table before any panel has a case) still
has one total per column, so its CSV and the figures derived from it can be written (the CSV once failed
with IndexError, found by the web's Schools Forum download)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from ap_reporting.adapters.csv_render import tables_csv
from ap_reporting.domain.published import publish, publish_derived


def test_a_table_without_rows_has_a_zero_total_for_each_column_and_writes_its_csv() -> None:
    table, pattern = publish("fair_access", "Fair Access cases", "cases", [], ["38 days", "69 days"], {})
    assert (table.column_totals, table.grand_total) == ((0, 0), 0)
    rows = list(csv.reader(io.StringIO(tables_csv([table]))))
    assert [row[2:] for row in rows[1:]] == [["Total", "38 days", "0"], ["Total", "69 days", "0"],
                                             ["Total", "Total", "0"]]
    derived = publish_derived("days", "Days waited", "days", pattern, table, {})
    assert derived.column_totals == (Decimal(0), Decimal(0))
