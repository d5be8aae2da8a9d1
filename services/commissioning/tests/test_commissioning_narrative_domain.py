"""The annual narrative's rules as pure deciders (issue 15; seed 001 appendix 3): given past events, when a
command, then events or a refusal naming its rule. Versions are kept; the approved version is the one
published; hostile changes are refused and change nothing."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ap_commissioning.domain.annual_narrative import (
    ApprovalOfStaleDraft,
    ApproveNarrativeSection,
    ApproverWroteDraft,
    DraftNarrativeSection,
    NarrativeIncomplete,
    NarrativePublished,
    PublishAnnualNarrative,
    approve_section,
    draft_section,
    fold_narrative,
    publish_narrative,
)
from ap_commissioning.domain.context import DecisionContext
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_narrative import AnnualNarrativePublished, NarrativeSection

KEYS = {"partnership_id": "np-1", "academic_year": "2024-25"}
LEAD, CHAIR = DecisionContext("lead-np-1", "np-1", date(2025, 7, 1)), DecisionContext("chair-np-1", "np-1",
                                                                                      date(2025, 7, 1))


def draft(events: list[DomainEvent], section: NarrativeSection, text: str) -> None:
    events += draft_section(DraftNarrativeSection(command_id=uuid4(), section=section, text=text, **KEYS),
                            fold_narrative(events), LEAD)


def approve(events: list[DomainEvent], section: NarrativeSection, version: int,
            by: DecisionContext = CHAIR) -> None:
    events += approve_section(ApproveNarrativeSection(command_id=uuid4(), section=section, version=version, **KEYS),
                              fold_narrative(events), by)


def publish(events: list[DomainEvent]) -> None:
    events += publish_narrative(PublishAnnualNarrative(command_id=uuid4(), **KEYS), fold_narrative(events), CHAIR)


def test_the_approved_version_is_the_one_published_even_when_a_later_one_was_approved_again() -> None:
    events: list[DomainEvent] = []
    for section in NarrativeSection:
        draft(events, section, f"{section.value}: first words")
        approve(events, section, 1)
    draft(events, NarrativeSection.CONTINGENCY, "second words")
    approve(events, NarrativeSection.CONTINGENCY, 2)
    publish(events)
    published = events[-1]
    assert isinstance(published, AnnualNarrativePublished)
    texts = {s.section: (s.version, s.text) for s in published.sections}
    assert texts[NarrativeSection.CONTINGENCY] == (2, "second words")
    assert texts[NarrativeSection.STAFFING] == (1, "Staffing: first words")


def test_hostile_narrative_changes_are_refused_by_rule_and_change_nothing() -> None:
    events: list[DomainEvent] = []
    draft(events, NarrativeSection.CONTINGENCY, "v1")
    draft(events, NarrativeSection.CONTINGENCY, "v2")
    before = list(events)
    with pytest.raises(ApprovalOfStaleDraft) as stale:
        approve(events, NarrativeSection.CONTINGENCY, 1)
    with pytest.raises(ApprovalOfStaleDraft):
        approve(events, NarrativeSection.PARTNERSHIPS, 1)  # nothing drafted
    with pytest.raises(ApproverWroteDraft) as own:
        approve(events, NarrativeSection.CONTINGENCY, 2, by=LEAD)
    with pytest.raises(NarrativeIncomplete) as incomplete:
        publish(events)
    assert (stale.value.rule_id, own.value.rule_id, incomplete.value.rule_id) == (
        "narrative.approve_latest", "narrative.four_eyes", "narrative.publish_complete")
    assert "Overall Summary" in str(incomplete.value)
    assert events == before
    with pytest.raises(ValidationError):  # a figures section is not a narrative section; text has a limit
        DraftNarrativeSection(command_id=uuid4(), section="Performance Monitoring/KPIs", text="typed", **KEYS)
    for text in ("   ", "x" * 20_001):  # only spaces, or over the limit
        with pytest.raises(ValidationError):
            DraftNarrativeSection(command_id=uuid4(), section="Contingency", text=text, **KEYS)


def test_a_published_narrative_is_final() -> None:
    events: list[DomainEvent] = []
    for section in NarrativeSection:
        draft(events, section, "words")
        approve(events, section, 1)
    publish(events)
    with pytest.raises(NarrativePublished) as drafted:
        draft(events, NarrativeSection.CONTINGENCY, "later")
    with pytest.raises(NarrativePublished):
        approve(events, NarrativeSection.CONTINGENCY, 1)
    with pytest.raises(NarrativePublished):
        publish(events)
    assert drafted.value.rule_id == "narrative.published_final"
