"""A published annual narrative for documents, demos and tests, made by commissioning's own deciders (the rules
of ``ap_commissioning.domain.annual_narrative``): the lead drafts every section, another person approves each,
and the narrative is published (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

from ap_commissioning.domain.annual_narrative import (
    ApproveNarrativeSection,
    DraftNarrativeSection,
    PublishAnnualNarrative,
    approve_section,
    draft_section,
    fold_narrative,
    publish_narrative,
)
from ap_commissioning.domain.context import DecisionContext
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_narrative import AnnualNarrativePublished, NarrativeSection
from ap_reporting.domain.annual_narrative import AnnualNarrative


def published_narrative(partnership_id: str, academic_year: str, lead: str, approver: str,
                        text: Callable[[str], str]) -> AnnualNarrative:
    """``academic_year`` as reports write it (``2024/25``); ``text`` gives each section's words."""
    published = narrative_events(partnership_id, academic_year, lead, approver, text)[-1]
    assert isinstance(published, AnnualNarrativePublished)
    return AnnualNarrative.published(published)


def narrative_events(partnership_id: str, academic_year: str, lead: str, approver: str,
                     text: Callable[[str], str]) -> list[DomainEvent]:
    """Every event of the narrative's stream: drafts, approvals, and last ``AnnualNarrativePublished``."""
    year = academic_year.replace("/", "-")
    keys = {"partnership_id": partnership_id, "academic_year": year}
    events: list[DomainEvent] = []

    def decide(decided: list[object]) -> None:
        events.extend(e for e in decided if isinstance(e, DomainEvent))

    writer, checker = DecisionContext(lead, partnership_id, date.today()), DecisionContext(approver, partnership_id,
                                                                                            date.today())
    for section in NarrativeSection:
        decide(list(draft_section(DraftNarrativeSection(command_id=uuid4(), section=section,
                                                              text=text(section.value), **keys),
                                        fold_narrative(events), writer)))
        decide(list(approve_section(ApproveNarrativeSection(command_id=uuid4(), section=section,
                                                                      version=1, **keys),
                                              fold_narrative(events), checker)))
    [published] = publish_narrative(PublishAnnualNarrative(command_id=uuid4(), **keys), fold_narrative(events),
                                    writer)
    assert isinstance(published, AnnualNarrativePublished)
    return [*events, published]
