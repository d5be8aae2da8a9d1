"""Seed 002, appendix 3, point 7, through the HTTP API: the provision tells all parents of its random-search
policy at the point of referral, during the initial interviews, and records that it did.

Rules served: policy SRCH-0 (the provision named on the referral records it; nobody else) and the domain's
referral and date checks; the command exists once, in its theme module (``domain/themes/searches.py``).
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import ConsultationMethod
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import record_id_for
from ap_runtime.eventstore.store import EventStore

from .conftest import ApiStory, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


def _explained(story: ApiStory, **kw: object) -> c.RecordSearchPolicyExplained:
    values: dict[str, object] = {"command_id": uuid4(), "pupil_ref": story.pupil_ref,
                                 "referral_id": story.referral_id, "explained_on": date(2025, 1, 8),
                                 "method": ConsultationMethod.MEETING}
    return c.RecordSearchPolicyExplained.model_validate(values | kw)


async def _stored_types(service: ServiceUnderTest, story: ApiStory) -> list[str]:
    return [e.event_type for e in await EventStore(service.deps.events_pool).read_stream(story.stream)]


async def test_the_referrals_provision_records_that_parents_were_told_of_the_search_policy(
        service: ServiceUnderTest) -> None:
    story = ApiStory(service)
    await story.registered()
    await story.ok(story.cmd.receive_referral(), "home_staff")
    command = _explained(story)
    await story.ok(command, "provider_staff")
    stored = await EventStore(service.deps.events_pool).read_stream(story.stream)
    explained = [e for e in stored if e.event_type == "SearchPolicyExplained"]
    assert [e.event_id for e in explained] == [record_id_for(command.command_id)]
    again = await story.send(command, "provider_manager")
    assert again.status_code in (200, 201), again.text
    assert (await _stored_types(service, story)).count("SearchPolicyExplained") == 1


@pytest.mark.parametrize("who", ["other_provider_staff", "home_staff", "commissioner"])
async def test_nobody_but_the_referrals_provision_records_it(service: ServiceUnderTest, who: str) -> None:
    story = ApiStory(service)
    await story.registered()
    await story.ok(story.cmd.receive_referral(), "home_staff")
    before = await _stored_types(service, story)
    refused = await story.send(_explained(story), who)
    assert refused.status_code == 403, refused.text
    assert problem_of(refused)["type"] == "urn:ap:problem:access-denied"
    assert await _stored_types(service, story) == before


async def test_it_is_refused_without_a_referral_or_on_a_day_to_come(service: ServiceUnderTest) -> None:
    story = ApiStory(service)
    await story.registered()
    await story.ok(story.cmd.receive_referral(), "home_staff")
    before = await _stored_types(service, story)
    future = await story.send(_explained(story, explained_on=date(2099, 1, 1)), "provider_staff")
    assert future.status_code == 422, future.text
    assert problem_of(future)["rule"]
    unknown = await story.send(_explained(story, referral_id=uuid4()), "provider_staff")
    assert unknown.status_code in (403, 404, 409, 422), unknown.text
    assert await _stored_types(service, story) == before
