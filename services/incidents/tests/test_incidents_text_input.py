"""Unstorable text (NUL, unpaired surrogates) is refused on every interface of the incidents service,
naming the field, before anything is stored (issue 9, "Input and transport").

Before the fix a ``RegisterPupil`` with a NUL in ``display_name`` was accepted (and its registration
later went to the dead-letter topic), and ``GET /v1/placements?provision_id=%00`` answered 500.
"""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import pytest

from ap_incidents.domain import command_models as c

from .conftest import PROVISION, ApiStory, KafkaIngestion, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration

NUL_NAME = "Test\x00Pupil"
SURROGATE_NAME = "Test\ud800Pupil"


def fields_of(response_or_result: dict) -> list[str]:
    return [error["field"] for error in response_or_result["errors"]]


@pytest.mark.parametrize("bad_name", [NUL_NAME, SURROGATE_NAME], ids=["nul", "unpaired-surrogate"])
async def test_a_pupil_registration_with_unstorable_text_in_the_body_is_refused_over_http(
        api_story: ApiStory, service: ServiceUnderTest, bad_name: str) -> None:
    body = api_story.cmd.register_pupil().model_dump(mode="json", exclude={"pupil_ref"})
    body["display_name"] = bad_name
    # json.dumps writes the NUL as \u0000 and the surrogate as \ud800, as a hostile client would.
    async with service.nothing_recorded(api_story.stream):
        response = await service.client.post(
            f"/v1/pupils/{api_story.pupil_ref}/registration", content=json.dumps(body),
            headers={**service.headers("head"), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert fields_of(problem_of(response)) == ["display_name"]


async def test_a_nul_in_a_query_parameter_is_a_422_naming_the_parameter(service: ServiceUnderTest) -> None:
    response = await service.client.get("/v1/placements?provision_id=%00", headers=service.headers("commissioner"))
    assert response.status_code == 422, response.text
    problem = problem_of(response)
    assert fields_of(problem) == ["query.provision_id"] and "NUL" in problem["errors"][0]["problem"]


async def test_an_encoded_surrogate_in_a_query_parameter_is_a_422(service: ServiceUnderTest) -> None:
    # %ED%A0%80 is U+D800 written as if it were UTF-8: not valid UTF-8, never decodable text.
    response = await service.client.get("/v1/placements?provision_id=p%ED%A0%80",
                                        headers=service.headers("commissioner"))
    assert response.status_code == 422, response.text
    assert fields_of(problem_of(response)) == ["query.provision_id"]


async def test_a_nul_in_a_path_parameter_is_a_422_naming_it(service: ServiceUnderTest) -> None:
    command = c.RecordStaffTraining(command_id=uuid4(), provision_id=PROVISION, staff_id="staff-1",
                                    training="physical_intervention", completed_on=date(2024, 9, 2))
    body = command.model_dump(mode="json", exclude={"provision_id"})
    response = await service.client.post("/v1/provisions/prov%00ision/staff-training", json=body,
                                         headers=service.headers("provider_manager"))
    assert response.status_code == 422, response.text
    assert fields_of(problem_of(response)) == ["path.provision_id"]


async def test_a_nul_in_a_header_we_read_is_a_422_naming_the_header(service: ServiceUnderTest) -> None:
    response = await service.client.get("/v1/placements", headers={
        **service.headers("commissioner"), "X-Correlation-ID": "abc\x00def"})
    assert response.status_code == 422, response.text
    assert fields_of(problem_of(response)) == ["header.x-correlation-id"]


@pytest.mark.parametrize("bad_name", [NUL_NAME, SURROGATE_NAME], ids=["nul", "unpaired-surrogate"])
async def test_a_pupil_registration_with_unstorable_text_over_kafka_is_refused_naming_the_field(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest, bad_name: str) -> None:
    body = api_story.cmd.register_pupil().model_dump(mode="json", exclude={"pupil_ref"})
    body["display_name"] = bad_name
    async with service.nothing_recorded(api_story.stream):
        await kafka_ingestion.client.send("RegisterPupil", body, service.token("head"), pupil_ref=api_story.pupil_ref)
        result = (await kafka_ingestion.client.wait_for([body["command_id"]]))[body["command_id"]]
    assert (result["status"], result["http_status"]) == ("invalid", 422), result
    assert fields_of(result) == ["display_name"]


async def test_a_nul_in_the_purpose_header_of_a_kafka_command_is_refused_naming_the_header(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    command = api_story.cmd.register_pupil()
    body = command.model_dump(mode="json", exclude={"pupil_ref"})
    await kafka_ingestion.client.send("RegisterPupil", body, service.token("head"), pupil_ref=api_story.pupil_ref,
                                      purpose="checking\x00")
    result = (await kafka_ingestion.client.wait_for([body["command_id"]]))[body["command_id"]]
    assert (result["status"], result["http_status"]) == ("invalid", 422), result
    assert fields_of(result) == ["header.x-access-purpose"]
