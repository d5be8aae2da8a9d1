"""Deciding on spend and commitments, and holding items over the threshold for two signatures."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_contracts.events.finance import (
    BudgetSet,
    CommitmentFields,
    CommitmentRaised,
    CommitmentReleased,
    FinanceEvent,
    ItemKind,
    ItemSignaturesRequested,
    SigningOrganisation,
    SpendFields,
    SpendRecorded,
    values_of,
)
from ap_finance.domain.budget_control import overrun_warning, require_within_line
from ap_finance.domain.commands import RaiseCommitment, RecordSpend, ReleaseCommitment
from ap_finance.domain.errors import (
    CommitmentAwaitingSignatures,
    ReleaseExceedsCommitment,
    SpendDoesNotMatchCommitment,
    SpendExceedsCommitment,
    UnknownCommitment,
)
from ap_finance.domain.guards import require_budget, require_in_year, require_open, require_unused, scope
from ap_finance.domain.rule_book import SPLIT_PURCHASE_WINDOW
from ap_finance.domain.state import BudgetState, Commitment, Purchase


def _same_supplier(one: str, other: str) -> bool:
    # "ACME Ltd" and "acme  ltd" are one supplier: a change of case or spacing does not make a new one.
    return " ".join(one.casefold().split()) == " ".join(other.casefold().split())


def split_purchase_parts(state: BudgetState, supplier: str, reference: str, day: date) -> tuple[Purchase, ...]:
    """Rule signature.split_purchase (rule book ``SPLIT_PURCHASE_WINDOW``): the earlier purchases this one
    belongs with, from the same supplier with the same evidence reference or dated within the window.
    Spend settling a commitment is not a new purchase (its commitment counts)."""
    return tuple(
        p for p in state.purchases
        if not p.settles_commitment and _same_supplier(p.supplier, supplier)
        and (p.evidence_reference == reference or abs(p.item_date - day) <= SPLIT_PURCHASE_WINDOW)
    )


def needs_signatures(state: BudgetState, amount_pence: int, parts: tuple[Purchase, ...] = ()) -> bool:
    """An item over the threshold in force (the seed's £30,000 unless both organisations agreed another),
    alone or with the other parts of a split purchase, needs the Partnership's and the host school's signatures."""
    return amount_pence + sum(p.amount_pence for p in parts) > state.signature_threshold_pence()


def _awaiting(
    state: BudgetState,
    budget: BudgetSet,
    item_id: UUID,
    kind: ItemKind,
    command: RecordSpend | RaiseCommitment,
    item_date: date,
    parts: tuple[Purchase, ...],
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
        signature_threshold_pence=state.signature_threshold_pence(),
        split_purchase_item_ids=tuple(p.item_id for p in parts),
        split_purchase_total_pence=command.amount_pence + sum(p.amount_pence for p in parts) if parts else None,
    )


def _commitment_for(state: BudgetState, command: RecordSpend, commitment_id: UUID) -> Commitment:
    """Rules commitment.exists, spend.matches_commitment, spend.within_commitment."""
    commitment = state.commitments.get(commitment_id)
    if commitment is None and commitment_id in state.pending:
        signed = {signature.organisation for signature in state.pending[commitment_id].signatures}
        awaited = tuple(f"{o.value.replace('_', ' ')}" for o in SigningOrganisation if o not in signed)
        raise CommitmentAwaitingSignatures(commitment_id, awaited)
    if commitment is None:
        raise UnknownCommitment(commitment_id)
    if commitment.cell != (command.category, command.funding_source):
        raise SpendDoesNotMatchCommitment(commitment_id)
    if command.amount_pence > commitment.outstanding_pence:
        raise SpendExceedsCommitment(command.amount_pence, commitment.outstanding_pence)
    return commitment


def record_spend(command: RecordSpend, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries, financial_year.date_in_year, budget.item_id_unique,
    budget_control.spend_within_line; over the threshold (alone or as part of a split purchase) the spend
    waits for signatures, unless it settles a commitment (signed, if it needed it, when it was raised)."""
    budget = require_budget(state, command)
    require_open(state, budget, "record spend")
    require_in_year(budget, command.spent_on)
    require_unused(state, command.spend_id)
    if command.commitment_id is not None:
        _commitment_for(state, command, command.commitment_id)
    else:
        require_within_line(state, command.category, command.funding_source, command.amount_pence)
        parts = split_purchase_parts(state, command.supplier, command.evidence_reference, command.spent_on)
        if needs_signatures(state, command.amount_pence, parts):
            return [_awaiting(state, budget, command.spend_id, ItemKind.SPEND, command, command.spent_on, parts)]
    return [SpendRecorded(**scope(budget), **values_of(SpendFields, command))]


def raise_commitment(command: RaiseCommitment, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries, financial_year.date_in_year, budget.item_id_unique; over the
    threshold (alone or as part of a split purchase) it waits for signatures; past the line's budget it is
    accepted with a recorded warning (budget control)."""
    budget = require_budget(state, command)
    require_open(state, budget, "raise a commitment")
    require_in_year(budget, command.raised_on)
    require_unused(state, command.commitment_id)
    parts = split_purchase_parts(state, command.supplier, command.evidence_reference, command.raised_on)
    if needs_signatures(state, command.amount_pence, parts):
        return [_awaiting(state, budget, command.commitment_id, ItemKind.COMMITMENT, command, command.raised_on,
                          parts)]
    raised = CommitmentRaised(**scope(budget), **values_of(CommitmentFields, command))
    return [raised, *overrun_warning(state, budget, raised)]


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
