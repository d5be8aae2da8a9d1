"""Read models keep personal values sealed with the pupil's key, as the events do.

Rule served: a backup of the read-model database holds no plaintext personal data, and erasure
(destroying the pupil's key) reaches the read models' copies too. The values are decrypted at read,
for callers the policy lets see them.
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from .conftest import ApiStory, RunningProjections, ServiceUnderTest
from .read_model_search import tables_holding

pytestmark = pytest.mark.integration


async def test_no_read_model_table_holds_a_personal_value_in_clear_but_the_api_shows_it(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    tag = uuid4().hex[:10]
    name, description = f"Philippa Sealed {tag}", f"Kicked the radiator {tag}"
    renamed = f"Pippa Sealed {tag}"
    await api_story.ready_to_place(display_name=name)
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    await api_story.incident(description=description)
    await projections.caught_up()

    assert await tables_holding(service.deps.read_pool, [tag]) == {}

    log = await service.client.get(f"/v1/pupils/{api_story.pupil_ref}/behaviour-log",
                                   headers=service.headers("provider_staff"))
    assert log.status_code == 200, log.text
    details = [e["details"] for e in log.json()["entries"]]
    assert any(d.get("description") == description for d in details)

    async def register_name() -> str | None:
        response = await service.client.get("/v1/placements", params={"pupil_ref": str(api_story.pupil_ref)},
                                            headers=service.headers("provider_staff"))
        assert response.status_code == 200, response.text
        name_shown: str | None = response.json()["placements"][0]["display_name"]
        return name_shown

    assert await register_name() == name
    await api_story.ok(api_story.cmd.update_details(display_name=renamed), "head")
    await projections.caught_up()
    assert await register_name() == renamed
    assert await tables_holding(service.deps.read_pool, [tag]) == {}


async def test_a_caller_who_may_not_see_identity_gets_no_name_and_nothing_sealed(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    tag = uuid4().hex[:10]
    await api_story.ready_to_place(display_name=f"Hidden Name {tag}")
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    await projections.caught_up()
    response = await service.client.get("/v1/placements", params={"pupil_ref": str(api_story.pupil_ref)},
                                        headers=service.headers("partnership_lead"))
    assert response.status_code == 200, response.text
    assert tag not in response.text and "pd1:" not in response.text
