"""The v1 finance event contracts: registered, on the finance topic, pupil-free, money in integer pence."""

from __future__ import annotations

import json
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, ValidationError

import ap_contracts.events.finance as finance
from ap_contracts.events.base import event_model, registered_events
from ap_contracts.personal import personal_fields
from ap_contracts.topics import FINANCE_EVENTS

SCOPE: dict[str, Any] = {"budget_id": UUID(int=3), "provision_id": "pbp-central", "financial_year": "2026-27"}
FINANCE_EVENT_TYPES = [
    "BudgetSet",
    "BudgetLineSet",
    "SpendRecorded",
    "CommitmentRaised",
    "CommitmentReleased",
    "ItemSignatureAdded",
    "ItemSignaturesRequested",
    "VirementMade",
    "YearClosed",
    "SurplusDetermined",
    "SurplusAllocated",
    "ClawbackMade",
    "CarryForwardRecorded",
    "VirementRequested",
    "VirementApproved",
    "OverspendRequested",
    "OverspendApproved",
    "LineOverrunWarned",
    "SignatureThresholdAgreed",
    "SignatureThresholdChanged",
]
COUNT_FIELDS = {"pupil_roll", "pupil_premium_count", "free_school_meals_count", "send_count"}


def finance_models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(finance).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == finance.__name__
    ]


def leaf_types(annotation: Any) -> set[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return leaf_types(typing.get_args(annotation)[0])
    if origin in {typing.Union, types.UnionType, tuple}:
        return {leaf for arg in typing.get_args(annotation) if arg is not Ellipsis for leaf in leaf_types(arg)}
    return {annotation}


@pytest.mark.parametrize("event_type", FINANCE_EVENT_TYPES)
def test_each_event_is_registered_on_the_finance_topic_without_pupil_data(event_type: str) -> None:
    model = event_model(event_type, 1)
    assert issubclass(model, finance.FinanceEvent)
    assert model.topic == FINANCE_EVENTS
    assert model.pii_subject_field is None
    assert personal_fields(model) == {}
    assert "pupil_ref" not in model.model_fields


def test_every_finance_event_in_the_registry_is_listed() -> None:
    registered = {key[0] for key, model in registered_events().items() if issubclass(model, finance.FinanceEvent)}
    assert registered == set(FINANCE_EVENT_TYPES)


@pytest.mark.parametrize("model", finance_models(), ids=lambda model: model.__name__)
def test_money_is_integer_pence_in_fields_named_pence(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        leaves = leaf_types(info.annotation)
        assert float not in leaves, f"{model.__name__}.{name} is a float"
        if name.endswith("_pence"):
            assert leaves <= {int, type(None)}, f"{model.__name__}.{name} must be integer pence"
        elif int in leaves:
            assert name in COUNT_FIELDS, f"{model.__name__}.{name} is an integer but not named *_pence"


def test_financial_year_is_april_to_march_written_like_2026_27() -> None:
    for bad in ("2026-28", "2026/27", "26-27", "2026-2027", "2099-01"):
        with pytest.raises(ValidationError):
            finance.YearClosed(**{**SCOPE, "financial_year": bad}, closed_on=date(2027, 4, 1))
    assert finance.YearClosed(**{**SCOPE, "financial_year": "2099-00"}, closed_on=date(2100, 4, 1))


def test_surplus_determined_is_the_year_balance() -> None:
    fields = {"budget_pence": 100, "actual_pence": 30, "committed_pence": 20}
    assert finance.SurplusDetermined(**SCOPE, **fields, surplus_pence=50).surplus_pence == 50
    assert finance.SurplusDetermined(**SCOPE, budget_pence=10, actual_pence=15, committed_pence=0, surplus_pence=-5)
    with pytest.raises(ValidationError, match="surplus_pence must equal"):
        finance.SurplusDetermined(**SCOPE, **fields, surplus_pence=51)


def allocation(**changes: Any) -> finance.SurplusAllocated:
    fields: dict[str, Any] = {
        **SCOPE,
        "allocation_id": UUID(int=4),
        "amount_pence": 3,
        "method": finance.AllocationMethod.STRATEGIC_PLAN,
        "schools": (),
        "host_school_id": "host",
        "shares": (finance.SchoolShare(school_id="host", amount_pence=3),),
    }
    fields.update(changes)
    return finance.SurplusAllocated(**fields)


def test_allocation_shares_add_up_and_name_each_school_once() -> None:
    assert allocation().rounding_rule is finance.RoundingRule.LARGEST_REMAINDER_THEN_SCHOOL_ID
    with pytest.raises(ValidationError, match="add up"):
        allocation(amount_pence=4)
    twice = (finance.SchoolShare(school_id="a", amount_pence=1), finance.SchoolShare(school_id="a", amount_pence=2))
    with pytest.raises(ValidationError, match="twice"):
        allocation(shares=twice)


def test_carry_forward_goes_into_the_next_year() -> None:
    ok = finance.CarryForwardRecorded(
        **SCOPE, carry_forward_id=UUID(int=5), amount_pence=1, into_financial_year="2027-28"
    )
    assert ok.into_financial_year == "2027-28"
    with pytest.raises(ValidationError, match="follows"):
        finance.CarryForwardRecorded(
            **SCOPE, carry_forward_id=UUID(int=5), amount_pence=1, into_financial_year="2028-29"
        )


def test_a_virement_is_between_two_categories() -> None:
    with pytest.raises(ValidationError, match="two different categories"):
        finance.VirementMade(
            **SCOPE,
            virement_id=UUID(int=6),
            from_category=finance.BudgetCategory.STAFFING,
            to_category=finance.BudgetCategory.STAFFING,
            funding_source=finance.FundingSource.DSG_ALLOCATION,
            amount_pence=1,
            reason="r",
        )


def test_amounts_are_strict_integers_and_spend_is_positive() -> None:
    base = {
        **SCOPE,
        "spend_id": UUID(int=9),
        "supplier": "S",
        "category": "staffing",
        "funding_source": "dsg_allocation",
        "spent_on": "2026-05-01",
        "evidence_reference": "INV",
    }
    assert finance.SpendRecorded.model_validate({**base, "amount_pence": 1}).amount_pence == 1
    for bad in (0, -1, 1.5, "100", True):
        with pytest.raises(ValidationError):
            finance.SpendRecorded.model_validate({**base, "amount_pence": bad})


def test_events_round_trip_through_json_with_exact_decimals() -> None:
    inputs = finance.SchoolAllocationInputs(
        school_id="school-a",
        pupil_roll=210,
        deprivation_index=Decimal("0.31415926"),
        pupil_premium_count=40,
        free_school_meals_count=38,
        send_count=12,
    )
    event = allocation(
        method=finance.AllocationMethod.EQUITY_BASED,
        schools=(inputs,),
        shares=(finance.SchoolShare(school_id="school-a", amount_pence=3),),
    )
    payload = json.loads(event.model_dump_json())
    assert payload["schools"][0]["deprivation_index"] == "0.31415926"
    assert finance.SurplusAllocated.model_validate_json(event.model_dump_json()) == event


def test_every_event_has_a_json_schema() -> None:
    for event_type in FINANCE_EVENT_TYPES:
        schema = event_model(event_type, 1).model_json_schema()
        assert "budget_id" in schema["properties"]
