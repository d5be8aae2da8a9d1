"""A finance command and the event that records it declare the fields they share once, in the contracts.

Rule served: issue 10 (copies; "declare once"): what a spend, a commitment, a signature, a virement, an
overspend request, a threshold agreement, a clawback or a budget line holds is spelt once, as a field set
in ``ap_contracts.events.finance_fields`` that both the command and its event extend, so the two cannot
drift apart (a field renamed or retyped in one and not the other). Unit level: no server.
"""

from __future__ import annotations

import inspect
from datetime import date
from uuid import UUID

import pytest
from pydantic import BaseModel, ValidationError

from ap_contracts.events import finance as fe
from ap_finance.domain import commands as c

ENVELOPE = {"command_id", "budget_id", "provision_id", "financial_year"}

RECORDED_BY = [
    (c.SetBudgetLine, fe.BudgetLineSet),
    (c.RecordSpend, fe.SpendRecorded),
    (c.RaiseCommitment, fe.CommitmentRaised),
    (c.AddItemSignature, fe.ItemSignatureAdded),
    (c.MakeVirement, fe.VirementMade),
    (c.MakeVirement, fe.VirementRequested),
    (c.RequestVirement, fe.VirementMade),
    (c.RequestVirement, fe.VirementRequested),
    (c.RecordOverspendRequest, fe.OverspendRequested),
    (c.RequestOverspend, fe.OverspendRequested),
    (c.RecordThresholdAgreement, fe.SignatureThresholdAgreed),
    (c.MakeClawback, fe.ClawbackMade),
]


def _own_fields(model: type[BaseModel]) -> set[str]:
    return set(inspect.get_annotations(model))


@pytest.mark.parametrize(("command", "event"), RECORDED_BY, ids=[f"{c.__name__}-{e.__name__}" for c, e in RECORDED_BY])
def test_a_command_and_its_event_spell_the_fields_they_share_once(command: type[BaseModel],
                                                                   event: type[BaseModel]) -> None:
    shared = (set(command.model_fields) & set(event.model_fields)) - ENVELOPE
    common = [base for base in command.__mro__
              if base in event.__mro__ and base.__module__ == "ap_contracts.events.finance_fields"]

    assert shared, "the pair shares no field: it does not belong in this list"
    assert common, f"{command.__name__} and {event.__name__} extend no field set of the contracts"
    spelt_twice = {name for name in shared if name in _own_fields(command) and name in _own_fields(event)}
    assert not spelt_twice, f"{sorted(spelt_twice)} spelt in both {command.__name__} and {event.__name__}"


def test_the_shared_fields_keep_their_order_so_the_wire_and_the_api_do_not_change() -> None:
    assert list(fe.SpendRecorded.model_fields) == [
        "budget_id", "provision_id", "financial_year", "spend_id", "supplier", "category", "funding_source",
        "amount_pence", "spent_on", "evidence_reference", "commitment_id", "signer_user_ids"]
    assert list(c.RecordSpend.model_fields) == [
        "command_id", "provision_id", "financial_year", "spend_id", "supplier", "category", "funding_source",
        "amount_pence", "spent_on", "evidence_reference", "commitment_id"]
    assert list(fe.VirementRequested.model_fields)[3:] == [
        "virement_id", "from_category", "to_category", "funding_source", "amount_pence", "reason",
        "requested_by", "remaining_after_pence"]
    assert list(c.RecordThresholdAgreement.model_fields)[3:] == [
        "threshold_pence", "agreed_by", "organisation_id", "signing_organisation"]


def test_a_command_passes_the_values_of_its_field_set_to_its_event_unchanged() -> None:
    spend = c.RecordSpend(
        command_id=UUID(int=1), provision_id="prov-1", financial_year="2025-26", spend_id=UUID(int=2),
        supplier="Acme Tutors", category=fe.BudgetCategory.STAFFING, funding_source=fe.FundingSource.TOP_UP,
        amount_pence=12_345, spent_on=date(2025, 5, 1), evidence_reference="INV-9", commitment_id=UUID(int=3))

    carried = fe.values_of(fe.SpendFields, spend)

    assert carried == {"spend_id": UUID(int=2), "supplier": "Acme Tutors", "category": fe.BudgetCategory.STAFFING,
                       "funding_source": fe.FundingSource.TOP_UP, "amount_pence": 12_345,
                       "spent_on": date(2025, 5, 1), "evidence_reference": "INV-9", "commitment_id": UUID(int=3)}
    recorded = fe.SpendRecorded(budget_id=UUID(int=4), provision_id="prov-1", financial_year="2025-26", **carried)
    assert recorded.model_dump(include=set(carried)) == spend.model_dump(include=set(carried))


@pytest.mark.parametrize("event", [fe.VirementMade, fe.VirementRequested])
def test_a_recorded_virement_is_between_two_lines_while_the_command_is_left_to_its_rule(
        event: type[BaseModel]) -> None:
    within_one_line = {"virement_id": UUID(int=2), "from_category": fe.BudgetCategory.STAFFING,
                       "to_category": fe.BudgetCategory.STAFFING, "funding_source": fe.FundingSource.TOP_UP,
                       "amount_pence": 100, "reason": "moved", "requested_by": "user-1"}
    recorded = ({**within_one_line, "remaining_after_pence": -5} if event is fe.VirementRequested
                else {name: value for name, value in within_one_line.items() if name != "requested_by"})

    with pytest.raises(ValidationError, match="two different categories"):
        event(budget_id=UUID(int=4), provision_id="prov-1", financial_year="2025-26", **recorded)
    # The command is accepted as sent, so the decider can refuse it by the rule virement.between_lines.
    assert c.MakeVirement(command_id=UUID(int=1), provision_id="prov-1", financial_year="2025-26",
                          **within_one_line).from_category is fe.BudgetCategory.STAFFING
