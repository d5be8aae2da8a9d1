"""Report models: JSON as served, and the source of the CSV and .xlsx renderings (integer pence)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

PublishedNumber = int | Literal["c"] | None


class ReportModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourcePosition(ReportModel):
    """The last event of the budget's stream the figures include."""

    stream_id: str
    stream_version: int
    event_id: UUID
    recorded_at: datetime


class BudgetHeader(ReportModel):
    """Whose budget, for which year, as at when. Names come from the organisation directory (None when the
    register has no name for the id)."""

    provision_id: str
    host_school_id: str
    partnership_id: str
    provision_name: str | None = None
    host_school_name: str | None = None
    partnership_name: str | None = None
    financial_year: str
    year_closed_on: date | None
    as_at: date
    generated_at: datetime
    source: SourcePosition


class CategoryFigures(ReportModel):
    """Budget against actual for one category ('unallocated': funding not yet given to a line) or the total."""

    line: str
    budget_pence: int  # the revised budget: the budget as set, plus virements in, less virements out
    actual_pence: int
    committed_pence: int
    remaining_pence: int
    forecast_outturn_pence: int
    forecast_variance_pence: int
    virements_pence: int = 0  # net virements into the line (negative: out); original budget = budget - this


class FundingFigures(ReportModel):
    funding_source: str
    budget_pence: int
    actual_pence: int
    committed_pence: int
    remaining_pence: int


class YearEndFigures(ReportModel):
    """Carry-forward in and out, and where a closed year's surplus went."""

    brought_forward_pence: int
    surplus_pence: int | None
    allocated_to_schools_pence: int
    clawed_back_pence: int
    carried_forward_pence: int
    still_available_pence: int


class SchoolAllocationFigures(ReportModel):
    school_id: str
    amount_pence: int
    school_name: str | None = None


class AllocationMadeFigures(ReportModel):
    """One surplus allocation as recorded: its method, amount, a combination's proportions (exact fractions of
    the whole) and the needs criteria weights (issue 12: a Schools Forum checks a distribution it can see)."""

    allocation: int  # 1, 2, ... in the order the allocations were recorded
    method: str
    amount_pence: int
    proportions: str | None
    needs_weights: str | None
    rounding: str


class AllocationPartShare(ReportModel):
    """One school's share of one method's part of an allocation."""

    allocation: int
    method: str
    proportion: str | None
    school_id: str
    amount_pence: int
    school_name: str | None = None


class AllocationPartFigures(ReportModel):
    """One method's part of an allocation: its proportion of the whole (an exact fraction; None when the
    allocation used one method) and its amount. An allocation's parts add up to its amount."""

    allocation: int
    method: str
    proportion: str | None
    amount_pence: int


class AllocationNeedsScore(ReportModel):
    """A school's needs score behind an allocation's needs part, exact: the sum over criteria of weight x the
    school's input / the input's total across the schools."""

    allocation: int
    school_id: str
    score: str
    school_name: str | None = None


class PlacementCostFigures(ReportModel):
    placements: PublishedNumber
    pupil_days: PublishedNumber
    actual_pence: int
    cost_per_placement_pence: PublishedNumber
    cost_per_pupil_day_pence: PublishedNumber


class QuarterlyReturn(ReportModel):
    """Quarterly financial return to the LA schools' finance team (seed 001, appendix 5)."""

    report: Literal["quarterly_financial_return"] = "quarterly_financial_return"
    header: BudgetHeader
    quarter: int
    period_start: date
    period_end: date
    categories: tuple[CategoryFigures, ...]
    total: CategoryFigures
    funding: tuple[FundingFigures, ...]
    funding_total: FundingFigures
    year_end: YearEndFigures
    allocations: tuple[SchoolAllocationFigures, ...]
    placement_costs: PlacementCostFigures
    notes: tuple[str, ...]
    allocations_made: tuple[AllocationMadeFigures, ...] = ()
    allocation_part_amounts: tuple[AllocationPartFigures, ...] = ()
    allocation_parts: tuple[AllocationPartShare, ...] = ()
    allocation_needs_scores: tuple[AllocationNeedsScore, ...] = ()


class PendingItemFigures(ReportModel):
    item_kind: str
    category: str
    funding_source: str
    amount_pence: int
    item_date: date
    signed_for: tuple[str, ...]


class VirementFigures(ReportModel):
    from_category: str
    to_category: str
    funding_source: str
    amount_pence: int
    approved: bool


class TermSpend(ReportModel):
    line: str
    actual_pence: int


class TermlyMonitoring(ReportModel):
    """Termly budget monitoring from the host school to the Neighbourhood Partnership (seed 001, section 5)."""

    report: Literal["termly_budget_monitoring"] = "termly_budget_monitoring"
    header: BudgetHeader
    term: str
    period_start: date
    period_end: date
    categories: tuple[CategoryFigures, ...]
    total: CategoryFigures
    spend_in_term: tuple[TermSpend, ...]
    spend_in_term_total_pence: int
    awaiting_signatures: tuple[PendingItemFigures, ...]
    virements_to_date: tuple[VirementFigures, ...]
    year_end: YearEndFigures
    placement_costs: PlacementCostFigures
    notes: tuple[str, ...]
    allocations: tuple[SchoolAllocationFigures, ...] = ()
    allocations_made: tuple[AllocationMadeFigures, ...] = ()
    allocation_part_amounts: tuple[AllocationPartFigures, ...] = ()
    allocation_parts: tuple[AllocationPartShare, ...] = ()
    allocation_needs_scores: tuple[AllocationNeedsScore, ...] = ()


class GoverningBodySummary(ReportModel):
    """Financial report to the host school's governing body (seed 001, section 1: reporting)."""

    report: Literal["governing_body_summary"] = "governing_body_summary"
    header: BudgetHeader
    total: CategoryFigures
    categories: tuple[CategoryFigures, ...]
    funding: tuple[FundingFigures, ...]
    year_end: YearEndFigures
    allocations: tuple[SchoolAllocationFigures, ...]
    placement_costs: PlacementCostFigures
    notes: tuple[str, ...]
    allocations_made: tuple[AllocationMadeFigures, ...] = ()
    allocation_part_amounts: tuple[AllocationPartFigures, ...] = ()
    allocation_parts: tuple[AllocationPartShare, ...] = ()
    allocation_needs_scores: tuple[AllocationNeedsScore, ...] = ()
