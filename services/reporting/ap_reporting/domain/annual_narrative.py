"""The Neighbourhood Partnership annual report (seed 001 appendix 3): its template, and the narrative sections as
they were published.

The narrative's rules (versioned drafts by the Partnership lead, approval of the latest version by someone else,
publication once every section is approved, final once published) are commissioning's, where the narrative is
drafted, approved and published as commands (``ap_commissioning.domain.annual_narrative``, rules
``narrative.*``). Reporting only reads what was published (``AnnualNarrativePublished``: each section's approved
version and text), so an unapproved or unpublished text never reaches a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ap_contracts.events.commissioning_narrative import AnnualNarrativePublished, NarrativeSection


class SectionKind(StrEnum):
    NARRATIVE = "narrative"  # written by the Partnership lead
    FIGURES = "figures"  # computed from the events reporting holds
    FINANCE = "finance"  # finance's ledger, projected from its events (budget_summary)


# Seed 001 appendix 3, "Primary Behaviour Provision Report to Stakeholders", in the template's order.
ANNUAL_TEMPLATE: tuple[tuple[str, SectionKind], ...] = (
    (NarrativeSection.OVERALL_SUMMARY.value, SectionKind.NARRATIVE),
    ("Budget Summary", SectionKind.FINANCE),
    (NarrativeSection.STAFFING.value, SectionKind.NARRATIVE),
    ("Service Delivery incl no. of pupils /schools supported", SectionKind.FIGURES),
    (NarrativeSection.CURRICULUM.value, SectionKind.NARRATIVE),
    ("Performance Monitoring/KPIs", SectionKind.FIGURES),
    (NarrativeSection.REPORTING.value, SectionKind.NARRATIVE),
    (NarrativeSection.QUALITY_AND_SAFEGUARDING.value, SectionKind.NARRATIVE),
    (NarrativeSection.PARTNERSHIPS.value, SectionKind.NARRATIVE),
    (NarrativeSection.COMMUNICATION.value, SectionKind.NARRATIVE),
    (NarrativeSection.CONTINGENCY.value, SectionKind.NARRATIVE),
    (NarrativeSection.FUTURE_PROOFING.value, SectionKind.NARRATIVE),
)
NARRATIVE_SECTIONS = tuple(name for name, kind in ANNUAL_TEMPLATE if kind is SectionKind.NARRATIVE)


@dataclass(frozen=True, slots=True)
class ApprovedText:
    section: str
    version: int
    text: str


@dataclass(frozen=True, slots=True)
class AnnualNarrative:
    """One partnership's narrative for one academic year (written ``2024/25``) as published, or nothing yet."""

    partnership_id: str
    academic_year: str
    sections: tuple[ApprovedText, ...] = ()
    published_by: str | None = None

    @classmethod
    def published(cls, event: AnnualNarrativePublished) -> AnnualNarrative:
        """The narrative as commissioning published it: each section's approved version and text."""
        return cls(event.partnership_id, event.academic_year.replace("-", "/"),
                   tuple(ApprovedText(s.section.value, s.version, s.text) for s in event.sections),
                   event.published_by)

    def approved_text(self, section: str) -> ApprovedText | None:
        return next((s for s in self.sections if s.section == section), None)
