"""The DfE returns as CSV files a school's MIS imports: a header of the census field names, one line
per row, every cell through ``ap_runtime.spreadsheet`` (text a spreadsheet would run is quoted)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from ap_reporting.domain.dfe_returns import (
    AP_PLACEMENT_RETURN_FIELDS,
    EXCLUSION_RETURN_FIELDS,
    ApPlacementReturnRow,
    ExclusionReturnRow,
)
from ap_runtime.spreadsheet import SafeCsvWriter


def _csv(fields: Sequence[str], rows: Sequence[ExclusionReturnRow | ApPlacementReturnRow]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(list(fields))
    for row in rows:
        writer.writerow(list(row.cells()))
    return out.getvalue()


def exclusions_return_csv(rows: Sequence[ExclusionReturnRow]) -> str:
    return _csv(EXCLUSION_RETURN_FIELDS, rows)


def ap_placements_return_csv(rows: Sequence[ApPlacementReturnRow]) -> str:
    return _csv(AP_PLACEMENT_RETURN_FIELDS, rows)
