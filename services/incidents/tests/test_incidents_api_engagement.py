"""Engagement targets, scores and the score-reduction sanction through the HTTP API (seed 002 sections 5.1 and
6.9, issue 14).

Rules served: policy ENG-1 (the staff of the provision where the pupil is placed record them; another
provision, the home school and the commissioner are refused, nothing stored), the request shape (a field the
command does not take, such as the scale or the rule book version, is refused naming it), and the domain's
``engagement.*`` rules answered as problems naming the rule.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from ap_contracts.events.engagement import TargetArea, TargetProgress, TargetProgressMark
from ap_contracts.events.pupil_vocabulary import Session
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import record_id_for
from ap_runtime.eventstore.store import EventStore

from .conftest import DAY, START, TRAINED, ApiStory, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


def _placed(story: ApiStory) -> dict[str, Any]:
    return {"command_id": uuid4(), "pupil_ref": story.pupil_ref, "placement_id": story.placement_id}


def _target(story: ApiStory, **kw: Any) -> c.SetEngagementTarget:
    return c.SetEngagementTarget.model_validate(_placed(story) | {
        "target_id": uuid4(), "area": TargetArea.BEHAVIOUR_IN_SESSIONS, "set_on": DAY - timedelta(7),
        "due_by": DAY + timedelta(7), "description": "Stay in the room for the whole session", "keyworker": TRAINED,
    } | kw)


def _score(story: ApiStory, **kw: Any) -> c.RecordEngagementScore:
    return c.RecordEngagementScore.model_validate(_placed(story) | {
        "scored_on": DAY, "session": Session.AM, "score": 4, "keyworker": TRAINED} | kw)


async def _stored_types(service: ServiceUnderTest, story: ApiStory) -> list[str]:
    return [e.event_type for e in await EventStore(service.deps.events_pool).read_stream(story.stream)]


async def test_the_provisions_staff_set_a_target_score_against_it_and_reduce_a_score(
        service: ServiceUnderTest) -> None:
    story = await ApiStory(service).placed()
    target = _target(story)
    await story.ok(target, "provider_staff")
    mark = TargetProgressMark(target_id=target.target_id, progress=TargetProgress.EXCEEDED)
    score = _score(story, progress=(mark,))
    await story.ok(score, "provider_staff")
    await story.ok(c.ReduceEngagementScore.model_validate(_placed(story) | {
        "score_record_id": record_id_for(score.command_id), "reduced_on": DAY, "points": 2,
        "reason": "Left the room twice after warnings"}), "provider_manager")
    types = await _stored_types(service, story)
    assert types[-3:] == ["EngagementTargetSet", "EngagementScoreRecorded", "EngagementScoreReduced"]


@pytest.mark.parametrize("who", ["other_provider_staff", "head", "home_staff", "commissioner"])
async def test_nobody_but_the_placing_provisions_staff_scores(service: ServiceUnderTest, who: str) -> None:
    story = await ApiStory(service).placed()
    before = await _stored_types(service, story)
    for command in (_target(story), _score(story)):
        refused = await story.send(command, who)
        assert refused.status_code == 403, refused.text
        assert problem_of(refused)["type"] == "urn:ap:problem:access-denied"
    assert await _stored_types(service, story) == before


@pytest.mark.parametrize("forged", [{"scale_max": 10}, {"rule_version": "mine-1"}, {"provision_id": "elsewhere"}])
async def test_a_forged_field_is_refused_naming_it(service: ServiceUnderTest, forged: dict[str, Any]) -> None:
    story = await ApiStory(service).placed()
    before = await _stored_types(service, story)
    body = _score(story).model_dump(mode="json", exclude={"pupil_ref"}) | forged
    response = await service.client.post(f"/v1/pupils/{story.pupil_ref}/engagement-scores", json=body,
                                         headers=service.headers("provider_staff"))
    assert response.status_code == 422, response.text
    [name] = forged
    assert any(name in str(error.get("field")) for error in problem_of(response)["errors"]), response.text
    assert await _stored_types(service, story) == before


@pytest.mark.parametrize(("change", "status", "rule"), [
    ({"score": 9}, 422, "engagement.score_on_scale"),
    ({"scored_on": START - timedelta(1)}, 409, "engagement.learner_placed_on_day"),
    ({"progress": [{"target_id": str(uuid4()), "progress": "met"}]}, 409, "engagement.progress_against_set_target"),
])
async def test_bad_scores_are_refused_naming_the_rule(service: ServiceUnderTest, change: dict[str, Any],
                                                      status: int, rule: str) -> None:
    story = await ApiStory(service).placed()
    before = await _stored_types(service, story)
    refused = await story.send(_score(story, **change), "provider_staff")
    assert refused.status_code == status, refused.text
    assert problem_of(refused)["rule"] == rule
    assert await _stored_types(service, story) == before


async def test_a_target_dated_backwards_is_refused(service: ServiceUnderTest) -> None:
    story = await ApiStory(service).placed()
    refused = await story.send(_target(story, set_on=DAY, due_by=DAY - timedelta(1)), "provider_staff")
    assert refused.status_code == 422, refused.text
    assert problem_of(refused)["rule"] == "engagement.target_dates_forward"


def _amend(story: ApiStory, recorded: c.RecordEngagementScore, **kw: Any) -> c.AmendEngagementScore:
    return c.AmendEngagementScore.model_validate(_placed(story) | {
        "score_record_id": record_id_for(recorded.command_id), "score": 2, "reason": "wrong_value",
        "explanation": "Given for the wrong session"} | kw)


async def test_the_provisions_staff_amend_a_score_and_nobody_else_does(service: ServiceUnderTest) -> None:
    """Issue 16: another provision, the home school and the commissioner are refused, nothing stored; a score off
    the scale is refused naming its rule; the provision's staff amend it."""
    story = await ApiStory(service).placed()
    score = _score(story)
    await story.ok(score, "provider_staff")
    before = await _stored_types(service, story)
    for who in ("other_provider_staff", "other_provider_manager", "head", "home_staff", "commissioner"):
        refused = await story.send(_amend(story, score), who)
        assert refused.status_code == 403, (who, refused.text)
    off_scale = await story.send(_amend(story, score, score=9), "provider_staff")
    assert off_scale.status_code == 422 and problem_of(off_scale)["rule"] == "engagement.score_on_scale"
    assert await _stored_types(service, story) == before
    await story.ok(_amend(story, score), "provider_staff")
    assert (await _stored_types(service, story))[-1] == "EngagementScoreAmended"
