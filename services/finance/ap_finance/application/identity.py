"""Requests whose identity fields come from the verified token, turned into their domain commands.

Rule served: authorisation and every "who" of a record rest on the verified caller, never on a value the
request body supplies (issue 9; issue 12: a virement's or overspend's approver, a threshold's agreeing
organisation and the requester of either are the caller). The bodies have no such fields, so a forged one
is refused as unknown (422) and grants nothing.
"""

from __future__ import annotations

from ap_contracts.envelope import OrgKind
from ap_contracts.events.finance import BudgetSet, OverspendFields, SigningOrganisation, VirementFields, values_of
from ap_finance.application.signing import signature_command
from ap_finance.domain import commands as c
from ap_finance.domain.errors import BudgetNotSet, SignerNotFromBudgetOrganisation
from ap_runtime.access import Principal

_AGREES_FOR = {
    OrgKind.PARTNERSHIP: SigningOrganisation.PARTNERSHIP,
    OrgKind.HOST_SCHOOL: SigningOrganisation.HOST_SCHOOL,
}


def _addressed(request: c.TokenIdentityRequest) -> dict[str, object]:
    return {"command_id": request.command_id, "provision_id": request.provision_id,
            "financial_year": request.financial_year}


def _threshold_agreement(request: c.AgreeSignatureThreshold, principal: Principal,
                         budget: BudgetSet) -> c.RecordThresholdAgreement:
    organisation = _AGREES_FOR.get(principal.org_kind)
    if organisation is None:
        raise SignerNotFromBudgetOrganisation("partnership or host school", budget.partnership_id,
                                              principal.organisation_id)
    return c.RecordThresholdAgreement(
        **_addressed(request), threshold_pence=request.threshold_pence, agreed_by=principal.user_id,
        organisation_id=principal.organisation_id, signing_organisation=organisation,
    )


def to_command(request: c.FinanceRequest, principal: Principal, budget: BudgetSet | None) -> c.Command:
    """The domain command, with identity fields taken from the verified caller where the request has them."""
    if not isinstance(request, c.TokenIdentityRequest):
        return request
    if budget is None:
        raise BudgetNotSet()
    caller = principal.user_id
    match request:
        case c.SignItem():
            return signature_command(request, principal, budget)
        case c.ClawBack():
            return c.MakeClawback(
                **_addressed(request), clawback_id=request.clawback_id, amount_pence=request.amount_pence,
                local_authority_id=principal.organisation_id, authorised_by=caller, reason=request.reason,
            )
        case c.RequestVirement():
            return c.MakeVirement(**_addressed(request), **values_of(VirementFields, request), requested_by=caller)
        case c.ApproveVirement():
            return c.RecordVirementApproval(**_addressed(request), virement_id=request.virement_id,
                                            approver_user_id=caller,
                                            approver_organisation_id=principal.organisation_id)
        case c.RequestOverspend():
            return c.RecordOverspendRequest(**_addressed(request), **values_of(OverspendFields, request),
                                            requested_by=caller)
        case c.ApproveOverspend():
            return c.RecordOverspendApproval(**_addressed(request), overspend_id=request.overspend_id,
                                             approver_user_id=caller,
                                             approver_organisation_id=principal.organisation_id)
        case c.AgreeSignatureThreshold():
            return _threshold_agreement(request, principal, budget)
    raise TypeError(f"no domain command for {type(request).__name__}")
