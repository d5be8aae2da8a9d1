"""Two signatures for an item over the threshold: one from the Partnership, one from the host school,
by two different people (seed 001, section 5). The item becomes spend or a commitment on the second."""

from __future__ import annotations

from ap_contracts.events.finance import (
    BudgetSet,
    CommitmentRaised,
    FinanceEvent,
    ItemKind,
    ItemSignatureAdded,
    ItemSignatureFields,
    SigningOrganisation,
    SpendRecorded,
    values_of,
)
from ap_finance.domain.budget_control import overrun_warning, require_within_line
from ap_finance.domain.commands import AddItemSignature
from ap_finance.domain.errors import (
    ItemNotAwaitingSignatures,
    OrganisationAlreadySigned,
    SameSignerTwice,
    SignerNotFromBudgetOrganisation,
)
from ap_finance.domain.guards import require_budget, require_open, scope
from ap_finance.domain.state import BudgetState, PendingItem


def _expected_organisation(budget: BudgetSet, organisation: SigningOrganisation) -> str:
    if organisation is SigningOrganisation.PARTNERSHIP:
        return budget.partnership_id
    return budget.host_school_id


def _check_signer(budget: BudgetSet, item: PendingItem, command: AddItemSignature) -> None:
    """Rules signature.from_budget_organisation, signature.different_people, signature.both_organisations."""
    expected = _expected_organisation(budget, command.signing_organisation)
    if command.signer_organisation_id != expected:
        raise SignerNotFromBudgetOrganisation(
            command.signing_organisation.value, expected, command.signer_organisation_id
        )
    if any(signature.user_id == command.signer_user_id for signature in item.signatures):
        raise SameSignerTwice(command.signer_user_id)
    if any(signature.organisation is command.signing_organisation for signature in item.signatures):
        raise OrganisationAlreadySigned(command.signing_organisation.value)


def _completed(state: BudgetState, budget: BudgetSet, item: PendingItem,
               signer_user_ids: tuple[str, ...]) -> list[FinanceEvent]:
    """The signed item as spend (still within its line: budget control applies when it is recorded) or as a
    commitment (with budget control's warning when it takes its line past its budget)."""
    request = item.request
    if request.item_kind is ItemKind.COMMITMENT:
        raised = CommitmentRaised(
            **scope(budget),
            commitment_id=request.item_id,
            supplier=request.supplier,
            category=request.category,
            funding_source=request.funding_source,
            amount_pence=request.amount_pence,
            raised_on=request.item_date,
            evidence_reference=request.evidence_reference,
            signer_user_ids=signer_user_ids,
        )
        return [raised, *overrun_warning(state, budget, raised)]
    require_within_line(state, request.category, request.funding_source, request.amount_pence)
    return [SpendRecorded(
        **scope(budget),
        spend_id=request.item_id,
        supplier=request.supplier,
        category=request.category,
        funding_source=request.funding_source,
        amount_pence=request.amount_pence,
        spent_on=request.item_date,
        evidence_reference=request.evidence_reference,
        signer_user_ids=signer_user_ids,
    )]


def add_item_signature(command: AddItemSignature, state: BudgetState) -> list[FinanceEvent]:
    """Rules signature.item_awaiting_signatures and financial_year.closed_to_entries, then the signer rules;
    the second valid signature turns the item into spend or a commitment."""
    budget = require_budget(state, command)
    item = state.pending.get(command.item_id)
    if item is None:
        raise ItemNotAwaitingSignatures(command.item_id)
    require_open(state, budget, "sign an item into spend or a commitment")
    _check_signer(budget, item, command)
    signed: list[FinanceEvent] = [ItemSignatureAdded(**scope(budget), **values_of(ItemSignatureFields, command))]
    if len(item.signatures) + 1 < len(SigningOrganisation):
        return signed
    signers = (*(signature.user_id for signature in item.signatures), command.signer_user_id)
    return [*signed, *_completed(state, budget, item, signers)]
