"""Issue 9 sweep, finance: a request is authorised on the stored budget (or, before one exists, on the
provision named in the path) and the verified token, never on organisations named in the body.

A ``SetBudget`` names the host school and partnership that will hold the budget; those become stored
facts once the LA finance team's budget is recorded, but they must not authorise the request that names
them (a host school or partnership naming itself would otherwise satisfy an own-organisation rule).
"""

from __future__ import annotations

from uuid import uuid4

from ap_contracts.envelope import OrgKind
from ap_finance.application.authorisation import request_context
from ap_finance.domain.commands import SetBudget
from ap_runtime.access import Principal, Role, decide

SELF_NAMED_HOST = "host-school-self-named"
SELF_NAMED_PARTNERSHIP = "np-self-named"


def _budget_naming(host: str, partnership: str) -> SetBudget:
    return SetBudget(command_id=uuid4(), provision_id="provision-north", financial_year="2025-26",
                     budget_id=uuid4(), host_school_id=host, partnership_id=partnership,
                     dsg_allocation_pence=5_000_000)


def test_a_budget_being_set_is_judged_without_the_organisations_its_body_names() -> None:
    context = request_context(_budget_naming(SELF_NAMED_HOST, SELF_NAMED_PARTNERSHIP), None)
    assert context.organisation_id is None and context.partnership_id is None
    assert context.provision_id == "provision-north"


def test_a_host_school_or_partnership_naming_itself_cannot_set_a_budget() -> None:
    request = _budget_naming(SELF_NAMED_HOST, SELF_NAMED_PARTNERSHIP)
    for org, kind, role in ((SELF_NAMED_HOST, OrgKind.HOST_SCHOOL, Role.HOST_SCHOOL_FINANCE),
                            (SELF_NAMED_PARTNERSHIP, OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)):
        caller = Principal(user_id=f"u@{org}", organisation_id=org, org_kind=kind, roles=frozenset({role}))
        assert not decide(caller, "finance.set_budget", request_context(request, None)).allowed
