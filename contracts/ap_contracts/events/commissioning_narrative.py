"""v1 events of the annual report's narrative sections (seed 001 appendix 3; issue 15): the Partnership lead
drafts each section as versioned drafts, a different person approves a version, and the partnership
publishes the narrative once every section has an approved version; the publication carries the approved
texts, so the report is built from what was approved and nothing else.

The narrative is a commissioning record (one stream per partnership and academic year): the Partnership
reports to its commissioners, the narrative names no pupil (free text must never name one) and nothing is
sealed. The section names are the template's narrative sections, in its order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from ap_contracts.envelope import StrictModel
from ap_contracts.events.commissioning_vocabulary import AcademicYear, CommissioningEvent, UserId
from ap_contracts.identifiers import OrganisationId

NarrativeText = Annotated[str, Field(min_length=1, max_length=20_000, description="Must not name a pupil")]
Version = Annotated[int, Field(ge=1, le=10_000)]


class NarrativeSection(StrEnum):
    """The narrative sections of seed 001 appendix 3's template, in its order."""

    OVERALL_SUMMARY = "Overall Summary"
    STAFFING = "Staffing"
    CURRICULUM = "Curriculum and Resources"
    REPORTING = "Reporting & Evaluation"
    QUALITY_AND_SAFEGUARDING = "Quality Assurance and Safeguarding"
    PARTNERSHIPS = "Partnerships"
    COMMUNICATION = "Communication and Feedback"
    CONTINGENCY = "Contingency"
    FUTURE_PROOFING = "Future Proofing"


class NarrativeSectionDrafted(CommissioningEvent):
    """A new version of a section's text, written by the Partnership lead."""

    event_type: ClassVar[str] = "NarrativeSectionDrafted"

    partnership_id: OrganisationId
    academic_year: AcademicYear
    section: NarrativeSection
    version: Version
    text: NarrativeText
    written_by: UserId


class NarrativeSectionApproved(CommissioningEvent):
    """A section's latest version approved by someone other than its writer (four eyes)."""

    event_type: ClassVar[str] = "NarrativeSectionApproved"

    partnership_id: OrganisationId
    academic_year: AcademicYear
    section: NarrativeSection
    version: Version
    approved_by: UserId


class PublishedSection(StrictModel):
    section: NarrativeSection
    version: Version
    text: NarrativeText
    written_by: UserId
    approved_by: UserId


class AnnualNarrativePublished(CommissioningEvent):
    """The year's narrative as published: every section's approved version and its text."""

    event_type: ClassVar[str] = "AnnualNarrativePublished"

    partnership_id: OrganisationId
    academic_year: AcademicYear
    sections: tuple[PublishedSection, ...] = Field(min_length=1, max_length=len(NarrativeSection))
    published_by: UserId
