"""Approval as its own step (issue 12): virements that need approval, overspends and the signature threshold.

A virement that would leave its source line below its spend and commitments is recorded as requested
(``budgeting.make_virement``) and moves budget only when another authenticated person approves it here.
An overspend (spend beyond what is left on a line) is requested with a reason and approved by the budget
holder, another person. A signature threshold other than the seed's £30,000 is in force only once both the
Partnership and the host school agreed the same figure. Who may approve or agree is the access policy's
(``policy.yaml`` FIN-APPROVE-*, FIN-THRESHOLD-*); the deciders check the facts: the request exists and the
approver is not its requester.
"""

from __future__ import annotations

from ap_contracts.events.finance import (
    FinanceEvent,
    OverspendApproved,
    OverspendRequested,
    OverspendRequestFields,
    SignatureThresholdAgreed,
    SignatureThresholdChanged,
    SigningOrganisation,
    ThresholdAgreementFields,
    VirementApproved,
    VirementFields,
    VirementMade,
    values_of,
)
from ap_finance.domain.commands import (
    RecordOverspendApproval,
    RecordOverspendRequest,
    RecordThresholdAgreement,
    RecordVirementApproval,
)
from ap_finance.domain.errors import (
    OverspendApprovedByRequester,
    OverspendNotAwaitingApproval,
    SignerNotFromBudgetOrganisation,
    VirementApprovedByRequester,
    VirementExceedsLineBudget,
    VirementNotAwaitingApproval,
)
from ap_finance.domain.guards import require_budget, require_open, require_unused, scope
from ap_finance.domain.rule_book import BUDGET_CONTROL_VERSION
from ap_finance.domain.state import BudgetState


def approve_virement(command: RecordVirementApproval, state: BudgetState) -> list[FinanceEvent]:
    """Rules virement.awaiting_approval, virement.approver_not_requester and virement.within_line_budget (the
    line may have moved since the request); approval makes the virement."""
    budget = require_budget(state, command)
    require_open(state, budget, "approve a virement")
    request = state.requested_virements.get(command.virement_id)
    if request is None:
        raise VirementNotAwaitingApproval(command.virement_id)
    if request.requested_by == command.approver_user_id:
        raise VirementApprovedByRequester(command.approver_user_id)
    line_budget = state.line_budget_pence.get((request.from_category, request.funding_source), 0)
    if request.amount_pence > line_budget:
        raise VirementExceedsLineBudget(request.from_category.value, request.amount_pence, line_budget)
    return [
        VirementApproved(**scope(budget), virement_id=request.virement_id, approved_by=command.approver_user_id,
                         approver_organisation_id=command.approver_organisation_id),
        VirementMade(**scope(budget), **values_of(VirementFields, request), approved_by=command.approver_user_id),
    ]


def request_overspend(command: RecordOverspendRequest, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries and budget.item_id_unique: an overspend is asked for, with a
    reason, before the spend it allows (budget_control.spend_within_line)."""
    budget = require_budget(state, command)
    require_open(state, budget, "request an overspend")
    require_unused(state, command.overspend_id)
    return [OverspendRequested(**scope(budget), **values_of(OverspendRequestFields, command),
                               budget_control_version=BUDGET_CONTROL_VERSION)]


def approve_overspend(command: RecordOverspendApproval, state: BudgetState) -> list[FinanceEvent]:
    """Rules overspend.awaiting_approval and overspend.approver_not_requester."""
    budget = require_budget(state, command)
    require_open(state, budget, "approve an overspend")
    request = state.requested_overspends.get(command.overspend_id)
    if request is None:
        raise OverspendNotAwaitingApproval(command.overspend_id)
    if request.requested_by == command.approver_user_id:
        raise OverspendApprovedByRequester(command.approver_user_id)
    return [OverspendApproved(
        **scope(budget), overspend_id=request.overspend_id, category=request.category,
        funding_source=request.funding_source, amount_pence=request.amount_pence,
        approved_by=command.approver_user_id, approver_organisation_id=command.approver_organisation_id,
    )]


def agree_signature_threshold(command: RecordThresholdAgreement, state: BudgetState) -> list[FinanceEvent]:
    """Rules signature.from_budget_organisation and signature.threshold_agreed_by_both: each organisation's
    agreement is recorded; the threshold changes when the other organisation has agreed the same figure."""
    budget = require_budget(state, command)
    require_open(state, budget, "change the signature threshold")
    expected = (budget.partnership_id if command.signing_organisation is SigningOrganisation.PARTNERSHIP
                else budget.host_school_id)
    if command.organisation_id != expected:
        raise SignerNotFromBudgetOrganisation(command.signing_organisation.value, expected, command.organisation_id)
    agreed: list[FinanceEvent] = [
        SignatureThresholdAgreed(**scope(budget), **values_of(ThresholdAgreementFields, command))]
    others = [o for o in SigningOrganisation if o is not command.signing_organisation]
    if all(state.threshold_agreements.get(o) == command.threshold_pence for o in others):
        agreed.append(SignatureThresholdChanged(**scope(budget), threshold_pence=command.threshold_pence,
                                                previous_threshold_pence=state.signature_threshold_pence()))
    return agreed
