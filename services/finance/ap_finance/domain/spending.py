"""Deciding on spend and commitments, and holding items over the threshold for two signatures."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_contracts.events.finance import (
    BudgetSet,
    CommitmentRaised,
    CommitmentReleased,
    FinanceEvent,
    ItemKind,
    ItemSignaturesRequested,
    SpendRecorded,
)
from ap_finance.domain.commands import RaiseCommitment, RecordSpend, ReleaseCommitment
from ap_finance.domain.errors import (
    ReleaseExceedsCommitment,
    SpendDoesNotMatchCommitment,
    SpendExceedsCommitment,
    UnknownCommitment,
)
from ap_finance.domain.guards import require_budget, require_in_year, require_open, require_unused, scope
from ap_finance.domain.state import BudgetState, Commitment


def needs_signatures(budget: BudgetSet, amount_pence: int) -> bool:
    """Any single item over the threshold (default £30,000) needs the Partnership's and the host school's signatures."""
    return amount_pence > budget.signature_threshold_pence


def _awaiting(
    budget: BudgetSet,
    item_id: UUID,
    kind: ItemKind,
    command: RecordSpend | RaiseCommitment,
    item_date: date,
) -> ItemSignaturesRequested:
    return ItemSignaturesRequested(
        **scope(budget),
        item_id=item_id,
        item_kind=kind,
        supplier=command.supplier,
        category=command.category,
        funding_source=command.funding_source,
        amount_pence=command.amount_pence,
        item_date=item_date,
        evidence_reference=command.evidence_reference,
        signature_threshold_pence=budget.signature_threshold_pence,
    )


def _commitment_for(state: BudgetState, command: RecordSpend, commitment_id: UUID) -> Commitment:
    """Rules commitment.exists, spend.matches_commitment, spend.within_commitment."""
    commitment = state.commitments.get(commitment_id)
    if commitment is None:
        raise UnknownCommitment(commitment_id)
    if commitment.cell != (command.category, command.funding_source):
        raise SpendDoesNotMatchCommitment(commitment_id)
    if command.amount_pence > commitment.outstanding_pence:
        raise SpendExceedsCommitment(command.amount_pence, commitment.outstanding_pence)
    return commitment


def record_spend(command: RecordSpend, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries, financial_year.date_in_year, budget.item_id_unique; over the
    threshold the spend waits for signatures, unless it settles a commitment (already signed when it was raised)."""
    budget = require_budget(state, command)
    require_open(state, budget, "record spend")
    require_in_year(budget, command.spent_on)
    require_unused(state, command.spend_id)
    if command.commitment_id is not None:
        _commitment_for(state, command, command.commitment_id)
    elif needs_signatures(budget, command.amount_pence):
        return [_awaiting(budget, command.spend_id, ItemKind.SPEND, command, command.spent_on)]
    return [
        SpendRecorded(
            **scope(budget),
            spend_id=command.spend_id,
            supplier=command.supplier,
            category=command.category,
            funding_source=command.funding_source,
            amount_pence=command.amount_pence,
            spent_on=command.spent_on,
            evidence_reference=command.evidence_reference,
            commitment_id=command.commitment_id,
        )
    ]


def raise_commitment(command: RaiseCommitment, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries, financial_year.date_in_year, budget.item_id_unique; over the
    threshold it waits for signatures."""
    budget = require_budget(state, command)
    require_open(state, budget, "raise a commitment")
    require_in_year(budget, command.raised_on)
    require_unused(state, command.commitment_id)
    if needs_signatures(budget, command.amount_pence):
        return [_awaiting(budget, command.commitment_id, ItemKind.COMMITMENT, command, command.raised_on)]
    return [
        CommitmentRaised(
            **scope(budget),
            commitment_id=command.commitment_id,
            supplier=command.supplier,
            category=command.category,
            funding_source=command.funding_source,
            amount_pence=command.amount_pence,
            raised_on=command.raised_on,
            evidence_reference=command.evidence_reference,
        )
    ]


def release_commitment(command: ReleaseCommitment, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries, financial_year.date_in_year, commitment.exists,
    commitment.release_within_outstanding."""
    budget = require_budget(state, command)
    require_open(state, budget, "release a commitment")
    require_in_year(budget, command.released_on)
    commitment = state.commitments.get(command.commitment_id)
    if commitment is None:
        raise UnknownCommitment(command.commitment_id)
    amount = command.amount_pence if command.amount_pence is not None else commitment.outstanding_pence
    if amount == 0 or amount > commitment.outstanding_pence:
        raise ReleaseExceedsCommitment(command.amount_pence, commitment.outstanding_pence)
    category, funding_source = commitment.cell
    return [
        CommitmentReleased(
            **scope(budget),
            commitment_id=command.commitment_id,
            category=category,
            funding_source=funding_source,
            amount_pence=amount,
            released_on=command.released_on,
            reason=command.reason,
        )
    ]
