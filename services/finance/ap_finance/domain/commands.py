"""Commands to the budget of one provision for one financial year (imperative; the client picks ids).

Each is declared once, with its decider, action, events and route, in ``domain/declarations.py``.

``command_id`` is chosen by the client so a retried command is recognised (the application layer
deduplicates on it). Every command names the budget by provision and financial year, which is
also how its stream is found (``financial_year.budget_stream_id``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_contracts.envelope import StrictModel
from ap_contracts.events.finance import (
    AllocationMethod,
    BudgetLineFields,
    ClawbackFields,
    CombinationProportions,
    CommitmentFields,
    CommitmentReleaseReason,
    EvidenceReference,
    FinancialYear,
    ItemSignatureFields,
    NeedsCriteriaWeights,
    OrganisationId,
    OverspendFields,
    OverspendRequestFields,
    PositivePence,
    Reason,
    SchoolAllocationInputs,
    SchoolShare,
    SpendFields,
    ThresholdAgreementFields,
    UserId,
    VirementFields,
    VirementRequestFields,
)
from ap_contracts.money import Pence
from ap_finance.domain.rule_book import SEED_SIGNATURE_THRESHOLD_PENCE

DEFAULT_SIGNATURE_THRESHOLD_PENCE = SEED_SIGNATURE_THRESHOLD_PENCE
"""Items over £30,000 need both signatures (seed 001, section 5); another threshold only by the agreement
of both the Partnership and the host school (``AgreeSignatureThreshold``), never by the budget's setter."""


class FinanceCommand(StrictModel):
    command_id: UUID
    provision_id: OrganisationId
    financial_year: FinancialYear


class SetBudget(FinanceCommand):
    budget_id: UUID
    host_school_id: OrganisationId
    partnership_id: OrganisationId
    dsg_allocation_pence: Pence
    top_up_pence: Pence = 0
    carry_forward_pence: Pence = 0
    signature_threshold_pence: Pence = DEFAULT_SIGNATURE_THRESHOLD_PENCE


class SetBudgetLine(BudgetLineFields, FinanceCommand):
    """Set the budget of one category from one funding source."""


class RecordSpend(SpendFields, FinanceCommand):
    """Record money spent (over the signature threshold it waits for two signatures)."""


class RaiseCommitment(CommitmentFields, FinanceCommand):
    """Raise a commitment (over the signature threshold it waits for two signatures)."""


class ReleaseCommitment(FinanceCommand):
    """Release ``amount_pence`` of a commitment, or all that is still outstanding when None."""

    commitment_id: UUID
    released_on: date
    reason: CommitmentReleaseReason
    amount_pence: PositivePence | None = None


class AddItemSignature(ItemSignatureFields, FinanceCommand):
    """Sign an item awaiting signatures; the application layer fills the signer from the caller's token."""


class MakeVirement(VirementRequestFields, FinanceCommand):
    """Move budget between lines; ``requested_by`` is the verified caller (``RequestVirement``). One that
    would leave its source line below its spend and commitments is recorded as requested, for approval."""


class RecordVirementApproval(FinanceCommand):
    """Approve a requested virement; the approver is the verified caller (``ApproveVirement``)."""

    virement_id: UUID
    approver_user_id: UserId
    approver_organisation_id: OrganisationId


class RecordOverspendRequest(OverspendRequestFields, FinanceCommand):
    """Ask to spend up to ``amount_pence`` beyond what is left on a line (``RequestOverspend``)."""


class RecordOverspendApproval(FinanceCommand):
    """The budget holder approves a requested overspend (``ApproveOverspend``)."""

    overspend_id: UUID
    approver_user_id: UserId
    approver_organisation_id: OrganisationId


class RecordThresholdAgreement(ThresholdAgreementFields, FinanceCommand):
    """One organisation agrees a signature threshold (``AgreeSignatureThreshold``); a threshold of zero is
    no threshold, so the command asks for more than zero."""

    threshold_pence: PositivePence


class CloseYear(FinanceCommand):
    closed_on: date


class AllocateSurplus(FinanceCommand):
    """Share ``amount_pence`` of the surplus (all that is left when None) between schools.

    ``proposed_shares``, when given (for example the figures the Partnership agreed on), must add
    up to the amount and equal the shares the method computes.
    """

    allocation_id: UUID
    method: AllocationMethod
    schools: tuple[SchoolAllocationInputs, ...] = ()
    needs_weights: NeedsCriteriaWeights | None = None
    proportions: CombinationProportions | None = None
    amount_pence: PositivePence | None = None
    proposed_shares: tuple[SchoolShare, ...] | None = None
    consultation_reference: EvidenceReference | None = None


class MakeClawback(ClawbackFields, FinanceCommand):
    """Claw back surplus; ``authorised_by`` is the verified caller (``ClawBack``)."""


class RecordCarryForward(FinanceCommand):
    """Carry ``amount_pence`` of the surplus (all that is left when None) into the next year."""

    carry_forward_id: UUID
    amount_pence: PositivePence | None = None


class TokenIdentityRequest(StrictModel):
    """A request whose identity fields come from the caller's verified token, not from the body; the
    application turns it into its domain command (``application/identity.py: to_command``)."""

    command_id: UUID
    provision_id: OrganisationId
    financial_year: FinancialYear


class SignItem(TokenIdentityRequest):
    """Sign an item awaiting signatures, as the caller, for the caller's organisation: a signature is the
    signer's own act, so who signed and for which organisation are the verified caller's."""

    item_id: UUID


class RequestVirement(VirementFields, TokenIdentityRequest):
    """Move budget between two lines of one funding source, as the caller. There is no approver field: a
    virement that needs approval is approved in its own step by another authenticated person."""


class ApproveVirement(TokenIdentityRequest):
    """Approve a requested virement, as the caller (who must not be its requester)."""

    virement_id: UUID


class RequestOverspend(OverspendFields, TokenIdentityRequest):
    """Ask the budget holder to allow spend beyond what is left on one line, with a reason."""


class ApproveOverspend(TokenIdentityRequest):
    """Approve a requested overspend, as the caller (the budget holder, not the requester)."""

    overspend_id: UUID


class AgreeSignatureThreshold(TokenIdentityRequest):
    """Agree a signature threshold for this budget, for the caller's organisation (Partnership or host
    school); it comes into force when the other has agreed the same figure."""

    threshold_pence: PositivePence


class ClawBack(TokenIdentityRequest):
    """Claw back surplus, as the calling local authority officer (who made it is the caller)."""

    clawback_id: UUID
    amount_pence: PositivePence
    reason: Reason


Command = (
    SetBudget
    | SetBudgetLine
    | RecordSpend
    | RaiseCommitment
    | ReleaseCommitment
    | AddItemSignature
    | MakeVirement
    | RecordVirementApproval
    | RecordOverspendRequest
    | RecordOverspendApproval
    | RecordThresholdAgreement
    | CloseYear
    | AllocateSurplus
    | MakeClawback
    | RecordCarryForward
)

FinanceRequest = (
    SetBudget
    | SetBudgetLine
    | RecordSpend
    | RaiseCommitment
    | ReleaseCommitment
    | SignItem
    | RequestVirement
    | ApproveVirement
    | RequestOverspend
    | ApproveOverspend
    | AgreeSignatureThreshold
    | CloseYear
    | AllocateSurplus
    | ClawBack
    | RecordCarryForward
)
"""What a caller sends: a domain command, or a request whose identity fields the token supplies."""
