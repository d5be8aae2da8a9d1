"""The annual report's narrative sections through the commissioning API (issue 15; seed 001 appendix 3): the
Partnership lead drafts versioned sections, a second lead of the same partnership approves (four eyes), and
publication carries the approved texts. Hostile: the writer approving their own draft, approving a stale
version, another partnership's lead drafting or approving, a provider drafting, publishing before every section
is approved, drafting after publication; each refusal stores nothing."""

from __future__ import annotations

from typing import Any

from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_narrative import AnnualNarrativePublished, NarrativeSection
from ap_runtime.access import Role

from .conftest import COMMISSIONER, COMMISSIONER_LEAD, OTHER_COMMISSIONER_LEAD, PROVIDER_MANAGER, Caller, World

SECOND_LEAD = Caller("np-lead-2", COMMISSIONER, OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
PATH = f"/v1/annual-narratives/{COMMISSIONER}/2025-26"


async def refused(world: World, caller: Caller, suffix: str, status: int, rule: str, **body: Any) -> None:
    stored = await world.event_count()
    answer = await world.post(caller, PATH + suffix, **body)
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert (problem["type"] if rule.startswith("urn:") else problem["rule"]) == rule, answer.text
    assert await world.event_count() == stored


async def draft_all(world: World, caller: Caller = COMMISSIONER_LEAD) -> None:
    for section in NarrativeSection:
        answer = await world.post(caller, PATH + "/drafts", section=section.value, text=f"{section.value}: v1")
        assert answer.status_code == 200, answer.text


async def test_drafts_are_versioned_approved_by_another_lead_and_published_with_the_approved_text(
    world: World,
) -> None:
    await draft_all(world)
    summary = NarrativeSection.OVERALL_SUMMARY.value
    redrafted = await world.post(COMMISSIONER_LEAD, PATH + "/drafts", section=summary, text="Summary v2")
    assert redrafted.status_code == 200, redrafted.text
    await refused(world, COMMISSIONER_LEAD, "/approvals", 403, "narrative.four_eyes", section=summary, version=2)
    await refused(world, SECOND_LEAD, "/approvals", 409, "narrative.approve_latest", section=summary, version=1)
    for section in NarrativeSection:
        version = 2 if section.value == summary else 1
        answer = await world.post(SECOND_LEAD, PATH + "/approvals", section=section.value, version=version)
        assert answer.status_code == 200, answer.text
    published = await world.post(COMMISSIONER_LEAD, PATH + "/publication")
    assert published.status_code == 200, published.text
    [event] = [e for e in await world.store.load(f"narrative-{COMMISSIONER}-2025-26")
               if isinstance(e, AnnualNarrativePublished)]
    texts = {s.section.value: (s.version, s.text, s.written_by, s.approved_by) for s in event.sections}
    assert texts[summary] == (2, "Summary v2", COMMISSIONER_LEAD.user_id, SECOND_LEAD.user_id)
    assert list(texts) == [s.value for s in NarrativeSection]
    await refused(world, COMMISSIONER_LEAD, "/drafts", 409, "narrative.published_final", section=summary, text="late")


async def test_publication_needs_every_section_approved(world: World) -> None:
    await draft_all(world)
    answer = await world.post(SECOND_LEAD, PATH + "/approvals", section=NarrativeSection.STAFFING.value, version=1)
    assert answer.status_code == 200, answer.text
    stored = await world.event_count()
    incomplete = await world.post(COMMISSIONER_LEAD, PATH + "/publication")
    assert incomplete.status_code in (409, 422), incomplete.text
    assert incomplete.json()["rule"] == "narrative.publish_complete"
    assert NarrativeSection.OVERALL_SUMMARY.value in incomplete.text
    assert await world.event_count() == stored


async def test_another_partnership_and_a_provider_can_neither_draft_nor_approve(world: World) -> None:
    await draft_all(world)
    denied = "urn:ap:problem:access-denied"
    staffing = NarrativeSection.STAFFING.value
    await refused(world, OTHER_COMMISSIONER_LEAD, "/drafts", 403, denied, section=staffing, text="not ours")
    await refused(world, OTHER_COMMISSIONER_LEAD, "/approvals", 403, denied, section=staffing, version=1)
    await refused(world, PROVIDER_MANAGER, "/drafts", 403, denied, section=staffing, text="the provider's view")
    await refused(world, PROVIDER_MANAGER, "/publication", 403, denied)


async def test_a_section_outside_the_template_or_empty_text_is_refused_and_changes_nothing(world: World) -> None:
    stored = await world.event_count()
    unknown = await world.post(COMMISSIONER_LEAD, PATH + "/drafts", section="Pupil Names", text="x")
    empty = await world.post(COMMISSIONER_LEAD, PATH + "/drafts", section="Staffing", text="")
    assert unknown.status_code == empty.status_code == 422, (unknown.text, empty.text)
    assert "section" in unknown.text and "text" in empty.text
    assert await world.event_count() == stored
