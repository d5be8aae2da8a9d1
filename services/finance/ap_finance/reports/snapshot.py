"""What the reports read from the read models, as plain values (filled by ``adapters.read_models``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ap_finance.domain.ledger import Balance, LedgerEntry, LineKey, SurplusPosition
from ap_finance.reports.models import PendingItemFigures, VirementFigures
from ap_finance.reports.placement_costs import PlacementPeriod


@dataclass(frozen=True, slots=True)
class BudgetInfo:
    """One budget as the ledger knows it, and how far its stream has been applied."""

    provision_id: str
    financial_year: str
    budget_id: UUID
    stream_id: str
    host_school_id: str
    partnership_id: str
    signature_threshold_pence: int
    closed_on: date | None
    ledger_version: int
    last_event_id: UUID
    last_recorded_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerSnapshot:
    """A consistent read of one budget's ledger (one repeatable-read transaction)."""

    budget: BudgetInfo
    entries: tuple[LedgerEntry, ...]
    effective_on: Mapping[int, date | None]
    lines: Mapping[LineKey, Balance]
    surplus: SurplusPosition | None
    # Read as the termly report shows them: items over the threshold still waiting for their second
    # signature (oldest first), and the year's virements (in the order they were recorded).
    pending: tuple[PendingItemFigures, ...] = ()
    virements: tuple[VirementFigures, ...] = ()
    placements: tuple[PlacementPeriod, ...] = field(default_factory=tuple)
    # Display names from the organisation directory, by organisation id (an id missing here has none).
    names: Mapping[str, str] = field(default_factory=dict)

    def parties(self) -> dict[str, Any]:
        """Whose budget, as the ledger view and every report header show it: the provision, its host school
        and its Partnership, by id and by the name the organisation directory has for each (None if none)."""
        budget = self.budget
        return {
            "provision_id": budget.provision_id,
            "host_school_id": budget.host_school_id,
            "partnership_id": budget.partnership_id,
            "provision_name": self.names.get(budget.provision_id),
            "host_school_name": self.names.get(budget.host_school_id),
            "partnership_name": self.names.get(budget.partnership_id),
        }
