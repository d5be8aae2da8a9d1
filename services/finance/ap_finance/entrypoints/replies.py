"""What a command reply says it created (issue 12: replies carried event ids only).

``created`` names the record the command is about by its id field(s) from the request (``spend_id``,
``commitment_id``, ``virement_id``, ...) and the state the recorded events left it in; ``warnings`` name
budget control's warnings recorded with it (a commitment past its line). Derived from the request and the
recorded event types, so a replayed command (same ``command_id``) answers the same.
"""

from __future__ import annotations

from typing import Any

from ap_finance.domain.commands import FinanceRequest

_ID_FIELDS = ("budget_id", "spend_id", "commitment_id", "item_id", "virement_id", "overspend_id",
              "allocation_id", "clawback_id", "carry_forward_id")
_LINE_FIELDS = ("category", "funding_source")
# The state each event leaves its record in; a later event of one command overrides an earlier one.
_STATE_OF_EVENT = {
    "BudgetSet": "set", "BudgetLineSet": "set", "SpendRecorded": "recorded", "CommitmentRaised": "open",
    "CommitmentReleased": "released", "ItemSignaturesRequested": "awaiting_signatures",
    "ItemSignatureAdded": "awaiting_signatures", "VirementRequested": "awaiting_approval", "VirementMade": "made",
    "OverspendRequested": "awaiting_approval", "OverspendApproved": "approved",
    "SignatureThresholdAgreed": "agreed_by_one_organisation", "SignatureThresholdChanged": "in_force",
    "YearClosed": "closed", "SurplusAllocated": "allocated", "ClawbackMade": "clawed_back",
    "CarryForwardRecorded": "carried_forward",
}
_WARNING_OF_EVENT = {
    "LineOverrunWarned": "budget_control.commitment_past_line_budget: the commitment takes its line past its budget",
}


def created(request: FinanceRequest, event_types: tuple[str, ...]) -> dict[str, Any]:
    """The ids the request names for what it records, and the state the recorded events left it in."""
    fields = request.model_dump(mode="json")
    named = {name: fields[name] for name in _ID_FIELDS if fields.get(name) is not None}
    if not named and all(name in fields for name in _LINE_FIELDS):
        named = {name: fields[name] for name in _LINE_FIELDS}
    states = [_STATE_OF_EVENT[t] for t in event_types if t in _STATE_OF_EVENT]
    return {**named, "state": states[-1] if states else None}


def warnings(event_types: tuple[str, ...]) -> list[str]:
    return [_WARNING_OF_EVENT[t] for t in event_types if t in _WARNING_OF_EVENT]
