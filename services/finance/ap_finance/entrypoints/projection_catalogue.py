"""The finance service's projections, as ``ap projections`` builds them (see ``ap_runtime.projection.registry``)."""

from __future__ import annotations

import os

from ap_finance.adapters.event_store import finance_dsn
from ap_finance.entrypoints.deps import READ_MODEL_DSN_ENV
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_runtime.projection.registry import RegisteredProjection, pooled


def _read_dsn() -> str:
    return os.environ.get(READ_MODEL_DSN_ENV) or finance_dsn()


PROJECTIONS = (
    RegisteredProjection(FinanceLedgerProjection.name, "finance", pooled(FinanceLedgerProjection, _read_dsn)),
    RegisteredProjection(PlacementCostsProjection.name, "finance", pooled(PlacementCostsProjection, _read_dsn)),
)
