"""An invalid payload is reported field by field, by name, without echoing the input."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import uuid4

import pytest
from pydantic import Field, ValidationError

from ap_contracts.envelope import StrictModel
from ap_contracts.events.notifications import NotificationSent
from ap_contracts.schema_tools import WHOLE_OBJECT, FieldProblem, describe_validation_error


def problems_of(model: type[Any], data: Any) -> list[FieldProblem]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return describe_validation_error(caught.value)


def fields(problems: list[FieldProblem]) -> list[str]:
    return [p["field"] for p in problems]


def valid_sent(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "notification_id": str(uuid4()),
        "rule_name": "incident_over_threshold",
        "audience": "commissioner",
        "recipient_organisation_id": "org-commissioner-1",
        "recipient_user_id": "user-17",
        "channel": "email",
        "cause_event_id": str(uuid4()),
        "template_id": "threshold_alert.v1",
    }
    return {**payload, **changes}


def test_a_valid_payload_passes() -> None:
    assert NotificationSent.model_validate(valid_sent()).channel == "email"


def test_each_invalid_field_is_named_with_its_problem() -> None:
    problems = problems_of(NotificationSent, valid_sent(channel="carrier_pigeon", cause_event_id="not-a-uuid"))
    assert fields(problems) == ["channel", "cause_event_id"]
    assert problems[0]["problem"] == "Input should be 'email', 'sms' or 'in_app'"
    assert problems[1]["problem"].startswith("Input should be a valid UUID")


def test_missing_and_unknown_fields_are_named() -> None:
    payload = valid_sent(colour="red")
    del payload["template_id"]
    problems = problems_of(NotificationSent, payload)
    assert {p["field"]: p["problem"] for p in problems} == {
        "template_id": "Field required",
        "colour": "Extra inputs are not permitted",
    }


def test_nested_fields_get_a_dotted_path() -> None:
    threshold = {"metric": "incident_severity", "comparison": "at_or_above", "threshold_value": 3,
                 "observed_value": "high", "unit": "severity"}
    problems = problems_of(NotificationSent, valid_sent(threshold=threshold))
    assert fields(problems) == ["threshold.observed_value"]


def test_a_rule_across_fields_is_reported_on_the_whole_object() -> None:
    problems = problems_of(NotificationSent, valid_sent(recipient_contact="parent@example.org"))
    assert problems == [
        {"field": WHOLE_OBJECT,
         "problem": "Value error, a parent's contact details can only be recorded for a pupil_ref"}
    ]


def test_the_input_value_is_never_repeated_back() -> None:
    address = "someone-private@example.org"
    problems = problems_of(NotificationSent, valid_sent(recipient_contact=address * 30))
    assert fields(problems) == ["recipient_contact"]
    assert address not in str(problems)


class Item(StrictModel):
    name: Annotated[str, Field(min_length=1)]


class Basket(StrictModel):
    items: list[Item]
    code: str | int
    labels: dict[str, Item] = {}


def test_list_positions_are_indexed_and_union_members_are_merged_under_one_field() -> None:
    problems = problems_of(Basket, {"items": [{"name": "a"}, {"name": ""}], "code": 1.5,
                                    "labels": {"shelf": {}}})
    assert {p["field"]: p["problem"] for p in problems} == {
        "items[1].name": "String should have at least 1 character",
        "code": "Input should be a valid string; or Input should be a valid integer, got a number with a "
                "fractional part",
        "labels.shelf.name": "Field required",
    }


def test_invalid_json_is_reported_on_the_whole_object() -> None:
    with pytest.raises(ValidationError) as caught:
        Basket.model_validate_json('{"items": ')
    [problem] = describe_validation_error(caught.value)
    assert problem["field"] == WHOLE_OBJECT
    assert problem["problem"].startswith("Invalid JSON")
