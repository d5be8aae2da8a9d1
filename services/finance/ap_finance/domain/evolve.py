"""Fold finance events into ``BudgetState``: one pure step per event type, no rules checked here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar
from uuid import UUID

from ap_contracts.events.finance import (
    BudgetLineSet,
    BudgetSet,
    CarryForwardRecorded,
    ClawbackMade,
    CommitmentRaised,
    CommitmentReleased,
    FinanceEvent,
    ItemKind,
    ItemSignatureAdded,
    ItemSignaturesRequested,
    LineOverrunWarned,
    OverspendApproved,
    OverspendRequested,
    SignatureThresholdAgreed,
    SignatureThresholdChanged,
    SpendRecorded,
    SurplusAllocated,
    SurplusDetermined,
    VirementApproved,
    VirementMade,
    VirementRequested,
    YearClosed,
)
from ap_finance.domain.state import BudgetState, Cell, Commitment, PendingItem, Purchase, Signature

K = TypeVar("K")
V = TypeVar("V")


def _with(mapping: Mapping[K, V], key: K, value: V) -> dict[K, V]:
    updated = dict(mapping)
    updated[key] = value
    return updated


def _without(mapping: Mapping[K, V], key: K) -> dict[K, V]:
    return {k: v for k, v in mapping.items() if k != key}


def _add(mapping: Mapping[Cell, int], cell: Cell, pence: int) -> dict[Cell, int]:
    return _with(mapping, cell, mapping.get(cell, 0) + pence)


def _settle(state: BudgetState, commitment_id: UUID, pence: int) -> dict[UUID, Commitment]:
    commitment = state.commitments[commitment_id]
    remaining = commitment.outstanding_pence - pence
    return _with(state.commitments, commitment_id, replace(commitment, outstanding_pence=remaining))


def _purchased(state: BudgetState, purchase: Purchase) -> tuple[Purchase, ...]:
    """The purchases with this one (once: an item awaiting signatures is already there when it completes)."""
    if any(known.item_id == purchase.item_id for known in state.purchases):
        return state.purchases
    return (*state.purchases, purchase)


def _spend(state: BudgetState, event: SpendRecorded) -> BudgetState:
    cell = (event.category, event.funding_source)
    commitments = state.commitments
    if event.commitment_id is not None:
        commitments = _settle(state, event.commitment_id, event.amount_pence)
    purchases = _purchased(state, Purchase(event.spend_id, ItemKind.SPEND, event.commitment_id is not None,
                                           event.supplier, event.evidence_reference, event.spent_on,
                                           event.amount_pence))
    return replace(
        state,
        purchases=purchases,
        actual_pence=_add(state.actual_pence, cell, event.amount_pence),
        commitments=commitments,
        pending=_without(state.pending, event.spend_id),
        used_ids=state.used_ids | {event.spend_id},
    )


def _commit(state: BudgetState, event: CommitmentRaised) -> BudgetState:
    commitment = Commitment(event.commitment_id, (event.category, event.funding_source), event.amount_pence)
    purchase = Purchase(event.commitment_id, ItemKind.COMMITMENT, False, event.supplier, event.evidence_reference,
                        event.raised_on, event.amount_pence)
    return replace(
        state,
        purchases=_purchased(state, purchase),
        commitments=_with(state.commitments, event.commitment_id, commitment),
        pending=_without(state.pending, event.commitment_id),
        used_ids=state.used_ids | {event.commitment_id},
    )


def _sign(state: BudgetState, event: ItemSignatureAdded) -> BudgetState:
    item = state.pending[event.item_id]
    signature = Signature(event.signer_user_id, event.signing_organisation)
    signed = replace(item, signatures=(*item.signatures, signature))
    return replace(state, pending=_with(state.pending, event.item_id, signed))


def _vire(state: BudgetState, event: VirementMade) -> BudgetState:
    lines = _add(state.line_budget_pence, (event.from_category, event.funding_source), -event.amount_pence)
    lines = _add(lines, (event.to_category, event.funding_source), event.amount_pence)
    return replace(state, line_budget_pence=lines, used_ids=state.used_ids | {event.virement_id})


def _dispose(state: BudgetState, pence: int, identifier: UUID) -> BudgetState:
    return replace(state, disposed_pence=state.disposed_pence + pence, used_ids=state.used_ids | {identifier})


def _set_line(state: BudgetState, event: BudgetLineSet) -> BudgetState:
    cell = (event.category, event.funding_source)
    return replace(state, line_budget_pence=_with(state.line_budget_pence, cell, event.amount_pence))


def _await_signatures(state: BudgetState, event: ItemSignaturesRequested) -> BudgetState:
    pending = _with(state.pending, event.item_id, PendingItem(event))
    purchase = Purchase(event.item_id, event.item_kind, False, event.supplier, event.evidence_reference,
                        event.item_date, event.amount_pence)
    return replace(state, pending=pending, used_ids=state.used_ids | {event.item_id},
                   purchases=_purchased(state, purchase))


def _approve_overspend(state: BudgetState, event: OverspendApproved) -> BudgetState:
    cell = (event.category, event.funding_source)
    return replace(state, requested_overspends=_without(state.requested_overspends, event.overspend_id),
                   approved_overspend_pence=_add(state.approved_overspend_pence, cell, event.amount_pence))


def _threshold_changed(state: BudgetState, event: SignatureThresholdChanged) -> BudgetState:
    return replace(state, agreed_threshold_pence=event.threshold_pence, threshold_agreements={})


# One step per event type (issue 10: a declaration's events each need one; test_finance_declarations checks).
_STEPS: dict[type[FinanceEvent], Callable[[BudgetState, Any], BudgetState]] = {
    BudgetSet: lambda state, event: replace(state, budget=event),
    BudgetLineSet: _set_line,
    SpendRecorded: _spend,
    CommitmentRaised: _commit,
    CommitmentReleased: lambda state, event: replace(
        state, commitments=_settle(state, event.commitment_id, event.amount_pence)),
    ItemSignaturesRequested: _await_signatures,
    ItemSignatureAdded: _sign,
    VirementMade: _vire,
    VirementRequested: lambda state, event: replace(
        state, requested_virements=_with(state.requested_virements, event.virement_id, event),
        used_ids=state.used_ids | {event.virement_id}),
    VirementApproved: lambda state, event: replace(
        state, requested_virements=_without(state.requested_virements, event.virement_id)),
    OverspendRequested: lambda state, event: replace(
        state, requested_overspends=_with(state.requested_overspends, event.overspend_id, event),
        used_ids=state.used_ids | {event.overspend_id}),
    OverspendApproved: _approve_overspend,
    LineOverrunWarned: lambda state, event: state,  # a warning: it changes no figure
    SignatureThresholdAgreed: lambda state, event: replace(
        state, threshold_agreements=_with(state.threshold_agreements, event.signing_organisation,
                                          event.threshold_pence)),
    SignatureThresholdChanged: _threshold_changed,
    YearClosed: lambda state, event: replace(state, closed=True),
    SurplusDetermined: lambda state, event: replace(state, surplus_pence=event.surplus_pence),
    SurplusAllocated: lambda state, event: _dispose(state, event.amount_pence, event.allocation_id),
    ClawbackMade: lambda state, event: _dispose(state, event.amount_pence, event.clawback_id),
    CarryForwardRecorded: lambda state, event: _dispose(state, event.amount_pence, event.carry_forward_id),
}


def folds(event_type: type) -> bool:
    """Whether ``evolve`` has a step for events of ``event_type``."""
    return any(kind in _STEPS for kind in event_type.__mro__)


def _apply(state: BudgetState, event: FinanceEvent) -> BudgetState:
    # By the class or a base of it, as the ``match`` this replaced did (isinstance).
    step = next((_STEPS[kind] for kind in type(event).__mro__ if kind in _STEPS), None)
    if step is None:
        raise TypeError(f"no evolve step for {type(event).__name__}")
    return step(state, event)


def evolve(state: BudgetState, event: FinanceEvent) -> BudgetState:
    """The state after one more event of this budget's stream."""
    return replace(_apply(state, event), version=state.version + 1)


def fold(events: Iterable[FinanceEvent], state: BudgetState | None = None) -> BudgetState:
    """The state after a whole history (from the empty state unless one is given)."""
    current = BudgetState() if state is None else state
    for event in events:
        current = evolve(current, event)
    return current
