"""Break-glass reads are recorded as ``BreakGlassAccessUsed`` on the pupil's access stream: who, which
pupil, which class, the purpose's category and the DSL organisations to tell, never the free text."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.privacy import AccessPurposeCategory, BreakGlassAccessUsed
from ap_contracts.personal import RecordClass
from ap_incidents.application.break_glass import (
    access_stream_id,
    break_glass_command_id,
    break_glass_event,
    purpose_category,
)
from ap_runtime.access import BreakGlassAccess, Principal, ResourceContext, Role, query

from .conftest import HOME_SCHOOL, PROVISION, ApiStory, ServiceUnderTest

FREE_TEXT = "Named Person rang about bruising seen today"


@pytest.mark.parametrize(("stated", "category"), [
    ("immediate_risk: " + FREE_TEXT, AccessPurposeCategory.IMMEDIATE_RISK),
    ("Missing-Child: not home since yesterday", AccessPurposeCategory.MISSING_CHILD),
    ("child protection enquiry: strategy meeting", AccessPurposeCategory.CHILD_PROTECTION_ENQUIRY),
    (FREE_TEXT, AccessPurposeCategory.UNCATEGORISED),
    ("Mrs X: said something", AccessPurposeCategory.UNCATEGORISED),
])
def test_the_category_is_the_leading_word_before_a_colon_or_uncategorised(stated: str,
                                                                          category: AccessPurposeCategory) -> None:
    assert purpose_category(stated) is category


def access(resource: ResourceContext, purpose: str = "immediate_risk: " + FREE_TEXT) -> BreakGlassAccess:
    head = Principal("head-1", HOME_SCHOOL, OrgKind.HOME_SCHOOL, frozenset({Role.HOME_SCHOOL_HEAD}))
    return BreakGlassAccess(head, "incidents.read_safeguarding_detail", resource, purpose, "SG-BG-1",
                            datetime(2025, 3, 10, 9, tzinfo=UTC), uuid4())


def test_the_event_names_the_reader_the_pupil_and_the_dsls_but_not_the_purpose() -> None:
    pupil = uuid4()
    read = access(ResourceContext(pupil_ref=pupil, provision_id=PROVISION, home_school_id=HOME_SCHOOL,
                                  record_class=RecordClass.SAFEGUARDING))
    event = break_glass_event(read)
    assert event is not None
    assert (event.pupil_ref, event.accessed_by_user_id, event.accessed_by_roles) == (pupil, "head-1",
                                                                                   ("home_school_head",))
    assert (event.provision_id, event.home_school_id) == (PROVISION, HOME_SCHOOL)
    assert event.purpose_category is AccessPurposeCategory.IMMEDIATE_RISK
    assert event.record_class is RecordClass.SAFEGUARDING and event.policy_rule_id == "SG-BG-1"
    assert "bruising" not in event.model_dump_json().lower()
    assert break_glass_command_id(read) == break_glass_command_id(read)
    assert access_stream_id(pupil) == f"access-{pupil}"


def test_no_pupil_no_event_and_a_log_read_counts_as_safeguarding() -> None:
    assert break_glass_event(access(ResourceContext(organisation_id=HOME_SCHOOL))) is None
    event = break_glass_event(access(ResourceContext(pupil_ref=uuid4(), home_school_id=HOME_SCHOOL)))
    assert event is not None and event.record_class is RecordClass.SAFEGUARDING and event.provision_id is None


async def access_events(service: ServiceUnderTest, story: ApiStory) -> list[tuple[BreakGlassAccessUsed, str]]:
    rows = await service.deps.events_pool.fetch(
        "SELECT payload::text AS payload, correlation_id FROM events WHERE stream_id = $1 ORDER BY stream_version",
        access_stream_id(story.pupil_ref))
    return [(BreakGlassAccessUsed.model_validate_json(r["payload"]), str(r["correlation_id"])) for r in rows]


async def read_safeguarding(service: ServiceUnderTest, story: ApiStory, who: str, purpose: str | None,
                            break_glass: bool, correlation: str) -> int:
    headers = service.headers(who, purpose=purpose, **{"X-Correlation-ID": correlation})
    if break_glass:
        headers["X-Break-Glass"] = "true"
    response = await service.client.get(f"/v1/pupils/{story.pupil_ref}/behaviour-log",
                                        params={"safeguarding": "true"}, headers=headers)
    return response.status_code


@pytest.mark.integration
async def test_a_break_glass_read_is_recorded_for_the_dsls_once_and_ordinary_reads_are_not(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.safeguarding_concern(), "provider_staff")
    correlation = str(uuid4())
    assert await read_safeguarding(service, api_story, "head", "immediate_risk: " + FREE_TEXT, True,
                                   correlation) == 200
    assert await read_safeguarding(service, api_story, "provider_dsl", "CP review", False, str(uuid4())) == 200
    assert await read_safeguarding(service, api_story, "head", None, True, str(uuid4())) == 403
    assert await read_safeguarding(service, api_story, "home_staff", "emergency", True, str(uuid4())) == 403

    [(event, event_correlation)] = await access_events(service, api_story)
    assert event_correlation == correlation
    assert (event.accessed_by_user_id, event.accessed_by_organisation_id) == ("head-user", HOME_SCHOOL)
    assert (event.provision_id, event.home_school_id) == (PROVISION, HOME_SCHOOL)
    assert event.purpose_category is AccessPurposeCategory.IMMEDIATE_RISK and event.policy_rule_id == "SG-BG-1"
    stored = await service.deps.events_pool.fetchval(
        "SELECT payload::text FROM events WHERE stream_id = $1", access_stream_id(api_story.pupil_ref))
    assert "Named Person" not in stored
    # The free text stays in the audit, on the record with the same correlation id and the break-glass flag.
    audited = [r for r in await query(service.deps.audit_pool, pupil=api_story.pupil_ref)
               if str(r.correlation_id) == correlation and r.action == "incidents.read_safeguarding_detail"]
    assert len(audited) == 1 and audited[0].break_glass and audited[0].purpose == "immediate_risk: " + FREE_TEXT
