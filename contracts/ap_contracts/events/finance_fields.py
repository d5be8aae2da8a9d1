"""What a finance command asks for and the event that records it holds, declared once.

Rule served: issue 10 ("declare once"): a field a command and its event share is spelt in one place, so
the two cannot drift apart. Each field set below is extended by the event (with ``FinanceEvent``) and by
the finance service's command (with its ``FinanceCommand``); a field set comes first among the bases,
so its fields follow the envelope's in the same order as before (the schemas and the wire are unchanged).
Checks that only hold of what was recorded (a virement between two lines) stay on the events: a command
that breaks them is refused by its rule in the decider, with the rule's id. Re-exported from
``events/finance.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self
from uuid import UUID

from pydantic import model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.finance_vocabulary import (
    BudgetCategory,
    EvidenceReference,
    FundingSource,
    PositivePence,
    Reason,
    SigningOrganisation,
    SupplierName,
    UserId,
)
from ap_contracts.identifiers import OrganisationId
from ap_contracts.money import Pence


def values_of(field_set: type[StrictModel], source: StrictModel) -> dict[str, Any]:
    """What ``source`` (a command, or an event) holds in the fields of ``field_set``: what it passes on,
    unchanged, to the event that records it, as ``SpendRecorded(**scope, **values_of(SpendFields, command))``."""
    return {name: getattr(source, name) for name in field_set.model_fields}


class BudgetLineFields(StrictModel):
    """The budget of one category funded from one source (``SetBudgetLine``, ``BudgetLineSet``)."""

    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: Pence


class SpendFields(StrictModel):
    """Money spent, against a commitment when ``commitment_id`` is set (``RecordSpend``, ``SpendRecorded``)."""

    spend_id: UUID
    supplier: SupplierName
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    spent_on: date
    evidence_reference: EvidenceReference
    commitment_id: UUID | None = None


class CommitmentFields(StrictModel):
    """Money promised but not yet spent (``RaiseCommitment``, ``CommitmentRaised``)."""

    commitment_id: UUID
    supplier: SupplierName
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    raised_on: date
    evidence_reference: EvidenceReference


class ItemSignatureFields(StrictModel):
    """One person's signature of an item, for one organisation (``AddItemSignature``, ``ItemSignatureAdded``)."""

    item_id: UUID
    signer_user_id: UserId
    signer_organisation_id: OrganisationId
    signing_organisation: SigningOrganisation


class VirementFields(StrictModel):
    """Budget moved between two lines of one funding source (the virement commands and events)."""

    virement_id: UUID
    from_category: BudgetCategory
    to_category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    reason: Reason


class RecordedVirementFields(VirementFields):
    """A virement as recorded (``VirementMade``, ``VirementRequested``): always between two different lines; a
    command asking for one within a line is refused by the rule virement.between_lines before any is recorded."""

    @model_validator(mode="after")
    def _between_two_lines(self) -> Self:
        if self.from_category == self.to_category:
            raise ValueError("a virement moves budget between two different categories")
        return self


class VirementRequestFields(VirementFields):
    """A virement and who asked for it (``MakeVirement``, ``VirementRequested``)."""

    requested_by: UserId


class OverspendFields(StrictModel):
    """Spend asked for beyond what is left on one line, with a reason (the overspend requests)."""

    overspend_id: UUID
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    reason: Reason


class OverspendRequestFields(OverspendFields):
    """An overspend and who asked for it (``RecordOverspendRequest``, ``OverspendRequested``)."""

    requested_by: UserId


class ThresholdAgreementFields(StrictModel):
    """One organisation's agreement to a signature threshold (``RecordThresholdAgreement`` asks for more
    than zero; ``SignatureThresholdAgreed`` records what was agreed)."""

    threshold_pence: Pence
    agreed_by: UserId
    organisation_id: OrganisationId
    signing_organisation: SigningOrganisation


class ClawbackFields(StrictModel):
    """Surplus taken back by the local authority (``MakeClawback``, ``ClawbackMade``)."""

    clawback_id: UUID
    amount_pence: PositivePence
    local_authority_id: OrganisationId
    authorised_by: UserId
    reason: Reason
