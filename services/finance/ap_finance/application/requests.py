"""Requests whose identity fields come from the caller's token, not from the body.

A signature is the signer's own act: who signed and for which organisation are the verified
caller's user and organisation. A claw-back names the local authority officer who made it.
"""

from __future__ import annotations

from uuid import UUID

from ap_contracts.envelope import StrictModel
from ap_contracts.events.finance import FinancialYear, OrganisationId, PositivePence, Reason


class SignItem(StrictModel):
    """Sign an item awaiting signatures, as the caller, for the caller's organisation."""

    command_id: UUID
    provision_id: OrganisationId
    financial_year: FinancialYear
    item_id: UUID


class ClawBack(StrictModel):
    """Claw back surplus, as the calling local authority officer."""

    command_id: UUID
    provision_id: OrganisationId
    financial_year: FinancialYear
    clawback_id: UUID
    amount_pence: PositivePence
    reason: Reason
