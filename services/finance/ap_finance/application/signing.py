"""Turning the caller's signature request into the domain's AddItemSignature."""

from __future__ import annotations

from ap_contracts.envelope import OrgKind
from ap_contracts.events.finance import BudgetSet, SigningOrganisation
from ap_finance.domain.commands import AddItemSignature, SignItem
from ap_finance.domain.errors import SignerNotFromBudgetOrganisation
from ap_runtime.access import Principal

_SIGNS_FOR = {
    OrgKind.PARTNERSHIP: SigningOrganisation.PARTNERSHIP,
    OrgKind.HOST_SCHOOL: SigningOrganisation.HOST_SCHOOL,
}


def signature_command(request: SignItem, principal: Principal, budget: BudgetSet) -> AddItemSignature:
    """The caller signs for the kind of organisation its token names; the domain then checks it is this
    budget's Partnership or host school (rule signature.from_budget_organisation) and a different person."""
    signing = _SIGNS_FOR.get(principal.org_kind)
    if signing is None:
        raise SignerNotFromBudgetOrganisation("partnership or host school", budget.partnership_id,
                                              principal.organisation_id)
    return AddItemSignature(
        command_id=request.command_id,
        provision_id=request.provision_id,
        financial_year=request.financial_year,
        item_id=request.item_id,
        signer_user_id=principal.user_id,
        signer_organisation_id=principal.organisation_id,
        signing_organisation=signing,
    )
