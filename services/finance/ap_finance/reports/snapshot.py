"""What the reports read from the read models, as plain values (filled by ``adapters.read_models``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from ap_finance.domain.ledger import Balance, LedgerEntry, LineKey, SurplusPosition
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
class PendingItemView:
    """An item over the threshold still waiting for its second signature."""

    item_id: UUID
    item_kind: str
    category: str
    funding_source: str
    amount_pence: int
    item_date: date
    signed_for: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VirementView:
    from_category: str
    to_category: str
    funding_source: str
    amount_pence: int
    approved: bool
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerSnapshot:
    """A consistent read of one budget's ledger (one repeatable-read transaction)."""

    budget: BudgetInfo
    entries: tuple[LedgerEntry, ...]
    effective_on: Mapping[int, date | None]
    lines: Mapping[LineKey, Balance]
    surplus: SurplusPosition | None
    pending: tuple[PendingItemView, ...] = ()
    virements: tuple[VirementView, ...] = ()
    placements: tuple[PlacementPeriod, ...] = field(default_factory=tuple)
    # Display names from the organisation directory, by organisation id (an id missing here has none).
    names: Mapping[str, str] = field(default_factory=dict)
