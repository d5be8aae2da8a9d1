"""The scripted day in this process (API app + Kafka consumer): every step ends as the script expects,
and the behaviour log shows exactly the accepted commands in order."""

from __future__ import annotations

import pytest

from demo.personas import Persona, tokens_from
from demo.runner import run_scripted_day
from demo.scripted_day import scripted_day

from .conftest import KafkaIngestion, RunningProjections, ServiceUnderTest

pytestmark = pytest.mark.integration


async def test_the_scripted_day_runs_as_scripted(service: ServiceUnderTest, kafka_ingestion: KafkaIngestion,
                                                 projections: RunningProjections) -> None:
    token_for = tokens_from(service.issuer)
    day = scripted_day(token_for)
    results = await run_scripted_day(day, service.client, kafka_ingestion.client)
    wrong = [(r.step.label, r.outcome, r.http_status, r.rule, r.body) for r in results if not r.as_expected]
    assert not wrong, wrong
    await projections.caught_up()
    for pupil in day.pupils.values():
        response = await service.client.get(f"/v1/pupils/{pupil.pupil_ref}/behaviour-log",
                                            headers={"Authorization": f"Bearer {token_for(Persona.PROVISION_DSL)}"})
        assert response.status_code == 200, response.text
        expected = day.event_types_read_by_the_provision(pupil.pupil_ref)
        assert [e["event_type"] for e in response.json()["entries"]] == expected
