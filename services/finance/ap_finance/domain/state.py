"""What the decider knows about one budget, folded from its events (see ``evolve``).

A line is one category funded from one funding source (a ``Cell``). For every line,
budget = actual + committed + remaining, where remaining may go negative (an overspend);
funding not yet given to any line is "unallocated" and belongs to the year's remaining balance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from ap_contracts.events.finance import (
    BudgetCategory,
    BudgetSet,
    FundingSource,
    ItemKind,
    ItemSignaturesRequested,
    OverspendRequested,
    SigningOrganisation,
    VirementRequested,
)

Cell = tuple[BudgetCategory, FundingSource]


@dataclass(frozen=True, slots=True)
class Commitment:
    commitment_id: UUID
    cell: Cell
    outstanding_pence: int


@dataclass(frozen=True, slots=True)
class Signature:
    user_id: str
    organisation: SigningOrganisation


@dataclass(frozen=True, slots=True)
class PendingItem:
    """An item over the threshold and the signatures it has gathered so far."""

    request: ItemSignaturesRequested
    signatures: tuple[Signature, ...] = ()


@dataclass(frozen=True, slots=True)
class Purchase:
    """A spend (not settling a commitment), a commitment or an item awaiting signatures, as the split-purchase
    rule compares them (same supplier and reference, or same supplier within the window)."""

    item_id: UUID
    kind: ItemKind
    settles_commitment: bool
    supplier: str
    evidence_reference: str
    item_date: date
    amount_pence: int


@dataclass(frozen=True, slots=True)
class BudgetState:
    budget: BudgetSet | None = None
    line_budget_pence: Mapping[Cell, int] = field(default_factory=dict)
    actual_pence: Mapping[Cell, int] = field(default_factory=dict)
    commitments: Mapping[UUID, Commitment] = field(default_factory=dict)
    pending: Mapping[UUID, PendingItem] = field(default_factory=dict)
    used_ids: frozenset[UUID] = frozenset()
    requested_virements: Mapping[UUID, VirementRequested] = field(default_factory=dict)
    requested_overspends: Mapping[UUID, OverspendRequested] = field(default_factory=dict)
    approved_overspend_pence: Mapping[Cell, int] = field(default_factory=dict)
    threshold_agreements: Mapping[SigningOrganisation, int] = field(default_factory=dict)
    agreed_threshold_pence: int | None = None
    purchases: tuple[Purchase, ...] = ()
    closed: bool = False
    surplus_pence: int | None = None
    disposed_pence: int = 0
    version: int = 0

    def funding_pence(self, source: FundingSource) -> int:
        if self.budget is None:
            return 0
        return {
            FundingSource.DSG_ALLOCATION: self.budget.dsg_allocation_pence,
            FundingSource.TOP_UP: self.budget.top_up_pence,
            FundingSource.CARRY_FORWARD: self.budget.carry_forward_pence,
        }[source]

    def signature_threshold_pence(self) -> int:
        """The threshold in force: the budget's, unless both organisations have since agreed another."""
        if self.agreed_threshold_pence is not None:
            return self.agreed_threshold_pence
        return 0 if self.budget is None else self.budget.signature_threshold_pence

    def overspend_allowed_pence(self, cell: Cell) -> int:
        """How far below zero the budget holder has allowed the line's remaining to go (approved overspends)."""
        return self.approved_overspend_pence.get(cell, 0)

    def funding_total_pence(self) -> int:
        return sum(self.funding_pence(source) for source in FundingSource)

    def lines_total_pence(self, source: FundingSource) -> int:
        return sum(amount for (_, cell_source), amount in self.line_budget_pence.items() if cell_source == source)

    def committed_pence(self, cell: Cell) -> int:
        return sum(c.outstanding_pence for c in self.commitments.values() if c.cell == cell)

    def remaining_pence(self, cell: Cell) -> int:
        """Line budget not yet spent or committed (negative when the line is overspent)."""
        return self.line_budget_pence.get(cell, 0) - self.actual_pence.get(cell, 0) - self.committed_pence(cell)

    def actual_total_pence(self) -> int:
        return sum(self.actual_pence.values())

    def committed_total_pence(self) -> int:
        return sum(c.outstanding_pence for c in self.commitments.values())

    def balance_pence(self) -> int:
        """Funding minus actual spend minus open commitments: the surplus if the year closed now."""
        return self.funding_total_pence() - self.actual_total_pence() - self.committed_total_pence()

    def available_surplus_pence(self) -> int:
        """Surplus not yet allocated, clawed back or carried forward (zero before close or in deficit)."""
        if self.surplus_pence is None:
            return 0
        return max(self.surplus_pence - self.disposed_pence, 0)
