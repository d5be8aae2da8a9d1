"""The finance service's projections, as ``ap projections`` builds them (see ``ap_runtime.projection.registry``)."""

from __future__ import annotations

from ap_finance.adapters.event_store import finance_dsn
from ap_finance.entrypoints.settings import finance_settings
from ap_finance.projections.directory import OrganisationDirectoryProjection
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.projections.reintegrations import FinanceCalendarProjection, ReintegrationsProjection
from ap_runtime.projection.registry import RegisteredProjection, pooled


def _read_dsn() -> str:
    return finance_settings().read_dsn or finance_dsn()


PROJECTIONS = (
    RegisteredProjection(FinanceLedgerProjection.name, "finance", pooled(FinanceLedgerProjection, _read_dsn)),
    RegisteredProjection(PlacementCostsProjection.name, "finance", pooled(PlacementCostsProjection, _read_dsn)),
    RegisteredProjection(OrganisationDirectoryProjection.name, "finance",
                         pooled(OrganisationDirectoryProjection, _read_dsn)),
    RegisteredProjection(ReintegrationsProjection.name, "finance", pooled(ReintegrationsProjection, _read_dsn)),
    RegisteredProjection(FinanceCalendarProjection.name, "finance", pooled(FinanceCalendarProjection, _read_dsn)),
)
