"""The annual report's narrative sections as commands (seed 001 appendix 3; issue 15): the Partnership lead drafts
a section (each draft a new version), someone else approves the latest version, and the narrative is published
once every section has an approved version, the publication carrying the approved texts.

Rules served: a published narrative is final, a correction is a new edition of the report
(``narrative.published_final``); only a section's latest version can be approved, so a text changed after it
was read is never approved unread (``narrative.approve_latest``); the writer of a version does not approve it
(``narrative.four_eyes``); publication needs an approved version of every section
(``narrative.publish_complete``). A draft has words (the command's text, stripped, is 1 to 20,000
characters). Who may draft, approve and publish (the partnership's own leads) is the access policy's; the
person is the verified token's, never the body's. Why commissioning: the narrative is the Partnership's report
to its commissioners, a record with versions and signatures like an agreement, holding no pupil data; the
reporting service builds documents from events and keeps no command side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_commissioning.domain.errors import CommissioningRefused
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_narrative import (
    AnnualNarrativePublished,
    NarrativeSection,
    NarrativeSectionApproved,
    NarrativeSectionDrafted,
    NarrativeText,
    PublishedSection,
    Version,
)
from ap_contracts.events.commissioning_vocabulary import AcademicYear, CommissioningEvent
from ap_contracts.identifiers import OrganisationId
from ap_runtime.access.context import ResourceContext
from ap_runtime.refusal import RefusalKind


class NarrativePublished(CommissioningRefused):
    rule_id = "narrative.published_final"
    says = "the {academic_year} narrative is published; a correction is a new edition"
    academic_year: str


class ApprovalOfStaleDraft(CommissioningRefused):
    rule_id = "narrative.approve_latest"
    says = "version {version} of {section!r} is not its latest draft (latest: {latest})"
    section: str
    version: int
    latest: int


class ApproverWroteDraft(CommissioningRefused):
    rule_id = "narrative.four_eyes"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = "version {version} of {section!r} was written by {user_id}, who cannot approve it"
    section: str
    version: int
    user_id: str


class NarrativeIncomplete(CommissioningRefused):
    rule_id = "narrative.publish_complete"
    kind = RefusalKind.BREAKS_RULE
    says = "sections without an approved version: {missing}"
    missing: str


class NarrativeCommand(CommissioningCommand):
    partnership_id: OrganisationId
    academic_year: AcademicYear


class DraftNarrativeSection(NarrativeCommand):
    section: NarrativeSection
    text: NarrativeText


class ApproveNarrativeSection(NarrativeCommand):
    section: NarrativeSection
    version: Version


class PublishAnnualNarrative(NarrativeCommand):
    pass


@dataclass(frozen=True, slots=True)
class NarrativeState:
    """Every version of every section (text, writer), the approval standing for each, and whether published."""

    drafts: dict[NarrativeSection, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    approved: dict[NarrativeSection, tuple[int, str]] = field(default_factory=dict)
    published: bool = False


def fold_narrative(events: Iterable[DomainEvent]) -> NarrativeState:
    state = NarrativeState()
    for e in events:
        if isinstance(e, NarrativeSectionDrafted):
            versions = (*state.drafts.get(e.section, ()), (e.text, e.written_by))
            state = replace(state, drafts={**state.drafts, e.section: versions})
        elif isinstance(e, NarrativeSectionApproved):
            state = replace(state, approved={**state.approved, e.section: (e.version, e.approved_by)})
        elif isinstance(e, AnnualNarrativePublished):
            state = replace(state, published=True)
    return state


NARRATIVE_FOLDS: frozenset[type[DomainEvent]] = frozenset(
    {NarrativeSectionDrafted, NarrativeSectionApproved, AnnualNarrativePublished})


def narrative_stream(command: NarrativeCommand) -> str:
    return f"narrative-{command.partnership_id}-{command.academic_year}"


def narrative_resource(command: NarrativeCommand, _: NarrativeState) -> ResourceContext:
    """The partnership whose report it is (the path's; the policy: its own leads only)."""
    return ResourceContext(partnership_id=command.partnership_id)


def _open(state: NarrativeState, command: NarrativeCommand) -> None:
    if state.published:
        raise NarrativePublished(academic_year=command.academic_year)


def draft_section(command: DraftNarrativeSection, state: NarrativeState,
                  context: DecisionContext) -> list[CommissioningEvent]:
    """Each draft is the section's next version; earlier versions are kept."""
    _open(state, command)
    version = len(state.drafts.get(command.section, ())) + 1
    return [NarrativeSectionDrafted(partnership_id=command.partnership_id, academic_year=command.academic_year,
                                    section=command.section, version=version, text=command.text,
                                    written_by=context.user_id)]


def approve_section(command: ApproveNarrativeSection, state: NarrativeState,
                    context: DecisionContext) -> list[CommissioningEvent]:
    """Only the latest version, and never by the person who wrote it."""
    _open(state, command)
    versions = state.drafts.get(command.section, ())
    if command.version != len(versions):
        raise ApprovalOfStaleDraft(section=command.section.value, version=command.version, latest=len(versions))
    if versions[-1][1] == context.user_id:
        raise ApproverWroteDraft(section=command.section.value, version=command.version, user_id=context.user_id)
    return [NarrativeSectionApproved(partnership_id=command.partnership_id, academic_year=command.academic_year,
                                     section=command.section, version=command.version,
                                     approved_by=context.user_id)]


def publish_narrative(command: PublishAnnualNarrative, state: NarrativeState,
                      context: DecisionContext) -> list[CommissioningEvent]:
    """Every section's approved version, with its text, in the template's order."""
    _open(state, command)
    missing = [s.value for s in NarrativeSection if s not in state.approved]
    if missing:
        raise NarrativeIncomplete(missing=", ".join(missing))
    sections = []
    for section in NarrativeSection:
        version, approved_by = state.approved[section]
        text, written_by = state.drafts[section][version - 1]
        sections.append(PublishedSection(section=section, version=version, text=text, written_by=written_by,
                                         approved_by=approved_by))
    return [AnnualNarrativePublished(partnership_id=command.partnership_id, academic_year=command.academic_year,
                                     sections=tuple(sections), published_by=context.user_id)]
