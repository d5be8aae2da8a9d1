"""The refusals of the two approval steps (virement, overspend; issue 12) share one wording, stated once in
``domain/errors_control.py``, each still its own class with its own rule id and kind (issue 10, "Copies").
Unit level: no server."""

from __future__ import annotations

from uuid import UUID

import pytest

from ap_finance.domain import errors
from ap_finance.domain.errors_control import ApprovedByRequester, NotAwaitingApproval
from ap_runtime.refusal import RefusalKind

REQUEST_ID = UUID("00000000-0000-4000-8000-000000000001")


@pytest.mark.parametrize(("refusal", "rule_id", "message"), [
    (errors.VirementNotAwaitingApproval, "virement.awaiting_approval",
     f"no virement {REQUEST_ID} is awaiting approval in this budget"),
    (errors.OverspendNotAwaitingApproval, "overspend.awaiting_approval",
     f"no overspend {REQUEST_ID} is awaiting approval in this budget"),
])
def test_a_request_not_awaiting_approval_is_not_found(refusal: type[NotAwaitingApproval], rule_id: str,
                                                       message: str) -> None:
    raised = refusal(REQUEST_ID)

    assert isinstance(raised, NotAwaitingApproval)
    assert (raised.rule_id, raised.kind, raised.message) == (rule_id, RefusalKind.NOT_FOUND, message)
    assert errors.rule_catalogue()[rule_id] is refusal


@pytest.mark.parametrize(("refusal", "rule_id", "message"), [
    (errors.VirementApprovedByRequester, "virement.approver_not_requester",
     "host-1 requested this virement and so cannot approve it; another person must"),
    (errors.OverspendApprovedByRequester, "overspend.approver_not_requester",
     "host-1 requested this overspend and so cannot approve it; another person must"),
])
def test_the_requester_cannot_approve(refusal: type[ApprovedByRequester], rule_id: str, message: str) -> None:
    raised = refusal("host-1")

    assert isinstance(raised, ApprovedByRequester)
    assert (raised.rule_id, raised.kind, raised.message) == (rule_id, RefusalKind.RESERVED_TO_ANOTHER_PARTY, message)
    assert errors.rule_catalogue()[rule_id] is refusal


def test_the_shared_wordings_are_no_rules_of_their_own() -> None:
    assert not {NotAwaitingApproval, ApprovedByRequester} & set(errors.rule_catalogue().values())
