"""Access ends with the relationship (issue 9): once a placement ends, its provision and its
commissioner read the pupil's log only up to the end, and write no more to it.

Through the HTTP API on real PostgreSQL and Kafka. The home school, which still answers for the
pupil, reads everything. The exception the policy states is the DSL's: the provision's DSL still
reads the safeguarding entries recorded up to the end (to transfer the child-protection file), and
nothing recorded after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_incidents.domain.identity import record_id_for

from .conftest import OTHER_PROVISION, ApiStory, RunningProjections, ServiceUnderTest, behaviour_log_of, problem_of

pytestmark = pytest.mark.integration

FORMER_PARTIES = ("provider_staff", "provider_manager", "provider_dsl", "commissioner")


async def test_a_provision_and_commissioner_read_only_up_to_the_end_of_the_placement_and_write_no_more(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    before = api_story.cmd.record_incident(description="Kicked a door before leaving")
    await api_story.ok(before, "provider_staff")
    await api_story.ok(api_story.cmd.safeguarding_concern(concern="Concern while placed"), "provider_staff")
    await api_story.ok(api_story.cmd.end_placement(reason=PlacementEndReason.LEFT_AREA), "commissioner")
    await api_story.ok(api_story.cmd.suspend(account="Suspended at the home school after leaving"), "head")
    await api_story.ok(api_story.cmd.exclude_permanently(account="Excluded by the home school after leaving"), "head")
    await projections.caught_up()

    home = await behaviour_log_of(service, api_story, "head")
    assert "SuspensionIssued" in [e["event_type"] for e in home["entries"]]
    for who in FORMER_PARTIES:
        log = await behaviour_log_of(service, api_story, who)
        types = [e["event_type"] for e in log["entries"]]
        assert types[-1] == "PlacementEnded", (who, types)
        assert "SuspensionIssued" not in types and "after leaving" not in str(log), who
        assert "Kicked a door before leaving" in str(log), who
    dsl = await behaviour_log_of(service, api_story, "provider_dsl", safeguarding="true", purpose="file transfer")
    assert "Concern while placed" in str(dsl) and "after leaving" not in str(dsl)

    for who in ("provider_manager", "provider_dsl", "commissioner"):
        amend = api_story.cmd.amend(record_id_for(before.command_id), {"location": "corridor"})
        refused = await api_story.send(amend, who, "correcting after the placement ended")
        assert refused.status_code == 403, (who, refused.text)
        assert problem_of(refused)["type"] == "urn:ap:problem:access-denied", who


async def test_a_former_provision_still_reads_up_to_its_end_after_the_pupil_moved_to_another(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    """The child-protection file goes to the new setting after the move (KCSIE): the former provision's
    DSL still reads what was recorded while the pupil was there, and nothing recorded at the new one."""
    await api_story.placed()
    await api_story.ok(api_story.cmd.safeguarding_concern(concern="Concern at the first provision"), "provider_staff")
    await api_story.ok(api_story.cmd.end_placement(reason=PlacementEndReason.LEFT_AREA), "commissioner")
    moved = uuid4()
    await api_story.ok(api_story.cmd.receive_referral(referral_id=moved, provision_id=OTHER_PROVISION,
                                                      received_on=date(2025, 3, 10)), "home_staff")
    await api_story.ok(api_story.cmd.consult_parent(referral_id=moved, consulted_on=date(2025, 3, 10)), "home_staff")
    await api_story.ok(api_story.cmd.decide_eligibility(referral_id=moved, decided_on=date(2025, 3, 10)),
                       "other_provider_manager")
    second = uuid4()
    await api_story.ok(api_story.cmd.start_placement(placement_id=second, referral_id=moved,
                                                     start_date=date(2025, 3, 11),
                                                     planned_review_date=date(2025, 4, 7)), "commissioner")
    at_second = datetime(2025, 3, 11, 10, tzinfo=UTC)
    await api_story.ok(api_story.cmd.record_incident(placement_id=second, happened_at=at_second,
                                                     description="At the second provision"), "other_provider_staff")
    await projections.caught_up()

    former = await behaviour_log_of(service, api_story, "provider_dsl", safeguarding="true", purpose="file transfer")
    types = [e["event_type"] for e in former["entries"]]
    assert types[-1] == "PlacementEnded" and "Concern at the first provision" in str(former)
    staff = await behaviour_log_of(service, api_story, "provider_staff")
    assert [e["event_type"] for e in staff["entries"]][-1] == "PlacementEnded"
    assert "At the second provision" not in str(former) and "At the second provision" not in str(staff)
    current = await behaviour_log_of(service, api_story, "other_provider_staff")
    assert "At the second provision" in str(current)
