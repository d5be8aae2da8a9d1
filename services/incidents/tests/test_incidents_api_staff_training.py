"""The staff training register and its report through the incidents API (issue 13): the provision's manager
records the behaviour approach with its programme and expiry (a 422 naming the field or the rule otherwise,
nothing stored); the provision and the LA the register places it in read who is trained in what; another
provision, another LA, a commissioning body of the area and a school read nothing (403)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import provision_stream_id

from .conftest import PROVISION, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


def _steps(staff: str, **changes: object) -> c.RecordStaffTraining:
    values: dict[str, object] = {
        "command_id": uuid4(), "provision_id": PROVISION, "staff_id": staff,
        "training": TrainingKind.BEHAVIOUR_APPROACH, "completed_on": date(2024, 9, 2),
        "expires_on": date(2099, 9, 2), "programme": "Hertfordshire Steps"}
    return c.RecordStaffTraining.model_validate(values | changes)


async def test_the_behaviour_approach_is_recorded_and_reported_to_the_provision_and_its_la(
    service: ServiceUnderTest,
) -> None:
    staff = f"staff-steps-{uuid4().hex[:8]}"
    assert (await service.send(_steps(staff), "provider_manager")).status_code == 201
    for who in ("provider_manager", "provider_staff", "la_officer"):
        response = await service.client.get(f"/v1/provisions/{PROVISION}/staff-training",
                                            headers=service.headers(who))
        assert response.status_code == 200, (who, response.text)
        report = response.json()
        assert staff in report["trained_in"]["behaviour_approach"], who
        [member] = [m for m in report["staff"] if m["staff_id"] == staff]
        assert member["training"] == [{"training": "behaviour_approach", "programme": "Hertfordshire Steps",
                                       "completed_on": "2024-09-02", "expires_on": "2099-09-02",
                                       "revoked_on": None, "in_date": True}]
    judged_before = await service.client.get(f"/v1/provisions/{PROVISION}/staff-training?on=2024-09-01",
                                             headers=service.headers("provider_manager"))
    assert staff not in judged_before.json()["trained_in"]["behaviour_approach"]


@pytest.mark.parametrize("who", ["other_provider_manager", "other_la_officer", "commissioner", "head",
                                 "partnership_lead"])
async def test_nobody_else_reads_the_report(service: ServiceUnderTest, who: str) -> None:
    response = await service.client.get(f"/v1/provisions/{PROVISION}/staff-training", headers=service.headers(who))
    assert response.status_code == 403, (who, response.text)


async def test_training_without_its_expiry_or_programme_is_refused_and_stores_nothing(
    service: ServiceUnderTest,
) -> None:
    stream = provision_stream_id(PROVISION)
    for command, rule in ((_steps("staff-x", expires_on=None), "training.expiry_recorded"),
                          (_steps("staff-x", programme=None), "training.programme_named")):
        before = await service.stream_length(stream)
        response = await service.send(command, "provider_manager")
        assert response.status_code == 422 and problem_of(response)["rule"] == rule, response.text
        assert await service.stream_length(stream) == before
    body = {**_steps("staff-x").model_dump(mode="json"), "training": "restraint"}
    del body["provision_id"]
    response = await service.client.post(f"/v1/provisions/{PROVISION}/staff-training", json=body,
                                         headers=service.headers("provider_manager"))
    assert response.status_code == 422, response.text
    assert [p["field"] for p in problem_of(response)["errors"]] == ["training"], response.text
