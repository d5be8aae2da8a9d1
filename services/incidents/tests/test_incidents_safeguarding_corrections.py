"""Safeguarding entries stay with the DSL, corrections included (issue 9).

Through the HTTP API, on real PostgreSQL and Kafka: a safeguarding entry is amended or withdrawn only
by the DSL (policy AMD-1, the record class taken from the STORED target entry), every other attempt
is refused by the policy and written to the access audit; a correction of a safeguarding entry takes
the class of its target, so no non-DSL reader learns of it; and non-DSL readers do not learn that a
safeguarding entry exists at all (no row, no event type, no withheld field names, no flag).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from ap_incidents.domain import command_models as c
from ap_incidents.domain.entry_classes import ENTRY_CLASS
from ap_incidents.domain.identity import record_id_for
from ap_runtime.access import query

from .conftest import ApiStory, Commands, RunningProjections, ServiceUnderTest, behaviour_log_of, problem_of

pytestmark = pytest.mark.integration

NON_DSL_CORRECTORS = ("provider_manager", "provider_staff", "head", "commissioner", "la_officer")
NON_DSL_READERS = ("provider_staff", "provider_manager", "home_staff", "head", "commissioner")
PURPOSE = "correcting the record"

# One builder per safeguarding event type (ap_incidents.domain.entry_classes.ENTRY_CLASS), with the
# clear and the safeguarding-class fields an amendment may change and text that must never leak.
SAFEGUARDING_ENTRIES: dict[str, Callable[[Commands], c.PupilCommand]] = {
    "SafeguardingConcernRaised": lambda cmd: cmd.safeguarding_concern(concern="Marks on the wrists seen at PE"),
}
AMENDMENTS: dict[str, list[dict[str, Any]]] = {
    "SafeguardingConcernRaised": [
        {"category": "physical_abuse", "immediate_risk": True},
        {"concern": "Marks on both wrists, pupil flinched", "action_taken": "Reported to children's services"},
    ],
}
SECRET_WORDS = ("wrists", "flinched", "children's services", "physical_abuse", "Corrected after talking",
                "Entered on the wrong pupil")


def test_every_safeguarding_entry_type_has_a_builder() -> None:
    assert set(SAFEGUARDING_ENTRIES) == set(ENTRY_CLASS) == set(AMENDMENTS)


async def _safeguarding_entry(story: ApiStory, event_type: str) -> UUID:
    command = SAFEGUARDING_ENTRIES[event_type](story.cmd)
    await story.ok(command, "provider_staff")
    return record_id_for(command.command_id)


@pytest.mark.parametrize("event_type", sorted(SAFEGUARDING_ENTRIES))
async def test_only_the_dsl_corrects_a_safeguarding_entry_every_other_attempt_is_refused_and_audited(
        api_story: ApiStory, service: ServiceUnderTest, event_type: str) -> None:
    await api_story.placed()
    target = await _safeguarding_entry(api_story, event_type)
    before = await service.stream_length(api_story.stream)
    attempts = [*(api_story.cmd.amend(target, values) for values in AMENDMENTS[event_type]),
                api_story.cmd.withdraw(target)]
    for who in NON_DSL_CORRECTORS:
        for attempt in attempts:
            refused = await api_story.send(attempt.model_copy(update={"command_id": uuid4()}), who, PURPOSE)
            assert refused.status_code == 403, (who, refused.text)
            problem = problem_of(refused)
            assert problem["type"] == "urn:ap:problem:access-denied", (who, problem)
            assert problem["rule"].startswith("AMD-"), (who, problem)
    assert await service.stream_length(api_story.stream) == before
    audited = await query(service.deps.audit_pool, pupil=api_story.pupil_ref)
    for who in NON_DSL_CORRECTORS:
        denials = {(r.action, r.record_class) for r in audited if r.user_id == f"{who}-user" and r.decision == "denied"}
        assert denials == {("incidents.amend_record", "safeguarding"),
                           ("incidents.withdraw_record", "safeguarding")}, who
    for values in AMENDMENTS[event_type]:
        await api_story.ok(api_story.cmd.amend(target, values), "provider_dsl", PURPOSE)
    await api_story.ok(api_story.cmd.withdraw(target), "provider_dsl", PURPOSE)
    assert await service.stream_length(api_story.stream) == before + len(AMENDMENTS[event_type]) + 1


@pytest.mark.parametrize("event_type", sorted(SAFEGUARDING_ENTRIES))
async def test_no_non_dsl_reader_learns_of_a_safeguarding_entry_or_any_correction_of_it(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections, event_type: str) -> None:
    await api_story.placed()
    amended = await _safeguarding_entry(api_story, event_type)
    withdrawn = await _safeguarding_entry(api_story, event_type)
    for values in AMENDMENTS[event_type]:
        await api_story.ok(api_story.cmd.amend(amended, values, explanation="Corrected after talking to the pupil"),
                           "provider_dsl", PURPOSE)
    await api_story.ok(api_story.cmd.withdraw(withdrawn, reason="wrong_pupil",
                                              explanation="Entered on the wrong pupil"), "provider_dsl", PURPOSE)
    incident = api_story.cmd.record_incident()
    await api_story.ok(incident, "provider_staff")
    await api_story.ok(api_story.cmd.amend(record_id_for(incident.command_id), {"location": "corridor"}),
                       "provider_manager", PURPOSE)
    await projections.caught_up()
    hidden = {str(amended), str(withdrawn)}

    for who in NON_DSL_READERS:
        log = await behaviour_log_of(service, api_story, who)
        text = str(log)
        types = [e["event_type"] for e in log["entries"]]
        assert event_type not in types and event_type not in text, who
        assert not any(e["target_record_id"] in hidden or e["record_id"] in hidden for e in log["entries"]), who
        assert not any(word in text for word in SECRET_WORDS), (who, text)
        assert "safeguarding" not in text.lower(), (who, text)
        # The correction of an ordinary entry is still shown, so the filter is not hiding everything.
        assert types.count("RecordAmended") == 1 and types.count("RecordWithdrawnInError") == 0, (who, types)
        assert not any(e["withdrawn"] for e in log["entries"]), who

    dsl = await behaviour_log_of(service, api_story, "provider_dsl", safeguarding="true",
                                 purpose="child protection review")
    dsl_types = [e["event_type"] for e in dsl["entries"]]
    assert dsl_types.count(event_type) == 2
    assert dsl_types.count("RecordAmended") == len(AMENDMENTS[event_type]) + 1
    assert dsl_types.count("RecordWithdrawnInError") == 1
    assert "Corrected after talking to the pupil" in str(dsl) and "wrists" in str(dsl)


# ------------------------------------------------------------------------------------------- subject access

SAR_PATH = "/v1/pupils/{pupil}/subject-access"
RELEASE_PATH = "/v1/pupils/{pupil}/subject-access-safeguarding-releases"


async def _export(service: ServiceUnderTest, story: ApiStory) -> dict[str, Any]:
    response = await service.client.get(SAR_PATH.format(pupil=story.pupil_ref),
                                        headers=service.headers("home_dpo", purpose="SAR from the parent"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_subject_access_withholds_staff_and_holds_safeguarding_back_until_the_dpo_releases_it(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.keyworker_session(keyworker="staff-keyworker-7"), "provider_staff")
    await service.register_staff("staff-witness-6")  # a witness is staff on the provision's register
    await api_story.ok(api_story.cmd.search(searcher="staff-searcher-5", witness="staff-witness-6"),
                       "provider_staff")
    incident = api_story.cmd.record_incident(description="Threw a book", staff_involved=("staff-involved-8",))
    await api_story.ok(incident, "provider_staff")
    await api_story.ok(api_story.cmd.amend(record_id_for(incident.command_id), {"description": "Threw a ruler"}),
                       "provider_manager", PURPOSE)
    concern = api_story.cmd.safeguarding_concern(raised_by="staff-raiser-3", concern="Disclosed harm at home")
    await api_story.ok(concern, "provider_staff")
    await api_story.ok(api_story.cmd.amend(record_id_for(concern.command_id),
                                           {"concern": "Disclosed harm at home by a named adult"}),
                       "provider_dsl", PURPOSE)

    held_back = await _export(service, api_story)
    text = str(held_back)
    for staff in ("staff-keyworker-7", "staff-searcher-5", "staff-witness-6", "staff-involved-8", "staff-raiser-3",
                  "provider_staff-user", "provider_dsl-user"):
        assert staff not in text, staff
    assert "Threw a ruler" in text  # the pupil's own (non-safeguarding) data is there
    assert "Disclosed harm" not in text and "SafeguardingConcernRaised" not in text
    assert not any(r["data"].get("corrected_safeguarding") for r in held_back["records"])

    release = {"command_id": str(uuid4()), "release_id": str(uuid4()), "request_reference": "SAR-2025-014"}
    path = RELEASE_PATH.format(pupil=api_story.pupil_ref)
    for who, purpose in (("home_staff", "SAR"), ("provider_dsl", "SAR"), ("other_dpo", "SAR"), ("home_dpo", None)):
        refused = await service.client.post(path, json=release, headers=service.headers(who, purpose=purpose))
        assert refused.status_code == 403, (who, refused.text)
    released = await service.client.post(path, json=release,
                                         headers=service.headers("home_dpo", purpose="reviewed with the DSL"))
    assert released.status_code == 201, released.text
    stored = await service.deps.events_pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'SubjectAccessSafeguardingReleased'",
        api_story.stream)
    assert stored == 1

    later = api_story.cmd.safeguarding_concern(concern="A later concern not yet reviewed")
    await api_story.ok(later, "provider_staff")
    after = await _export(service, api_story)
    text = str(after)
    types = [r["event_type"] for r in after["records"]]
    assert types.count("SafeguardingConcernRaised") == 1
    assert "Disclosed harm at home by a named adult" in text
    assert "staff-raiser-3" not in text  # staff stay withheld after the release
    assert "A later concern" not in text  # released up to the release only
