"""The Neighbourhood Partnership annual report (seed 001 appendix 3): its template, and the narrative
sections the Partnership lead writes as versioned drafts, which are approved and then published.

Rules served (issue 15): every section of the template appears, in its order; a narrative section is
published only in an approved version; approval is by someone other than the writer of that version
(four eyes) and of the latest draft only, so a text changed after it was read is never approved
unread; once published, the report's narrative is final (a correction is a new edition). Who may
write, approve and publish is the access policy's business, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ap_reporting.domain.errors import ReportingRuleViolation

MAX_NARRATIVE_CHARS = 20_000


class SectionKind(StrEnum):
    NARRATIVE = "narrative"  # written by the Partnership lead
    FIGURES = "figures"  # computed from the events reporting holds
    FINANCE = "finance"  # finance's figures (the quarterly return); not read by reporting yet


# Seed 001 appendix 3, "Primary Behaviour Provision Report to Stakeholders", in the template's order.
ANNUAL_TEMPLATE: tuple[tuple[str, SectionKind], ...] = (
    ("Overall Summary", SectionKind.NARRATIVE),
    ("Budget Summary", SectionKind.FINANCE),
    ("Staffing", SectionKind.NARRATIVE),
    ("Service Delivery incl no. of pupils /schools supported", SectionKind.FIGURES),
    ("Curriculum and Resources", SectionKind.NARRATIVE),
    ("Performance Monitoring/KPIs", SectionKind.FIGURES),
    ("Reporting & Evaluation", SectionKind.NARRATIVE),
    ("Quality Assurance and Safeguarding", SectionKind.NARRATIVE),
    ("Partnerships", SectionKind.NARRATIVE),
    ("Communication and Feedback", SectionKind.NARRATIVE),
    ("Contingency", SectionKind.NARRATIVE),
    ("Future Proofing", SectionKind.NARRATIVE),
)
NARRATIVE_SECTIONS = tuple(name for name, kind in ANNUAL_TEMPLATE if kind is SectionKind.NARRATIVE)


class NotANarrativeSection(ReportingRuleViolation):
    """annual.narrative_section: drafts are written for the template's narrative sections only."""

    rule_id = "annual.narrative_section"


class NarrativeTextInvalid(ReportingRuleViolation):
    """annual.narrative_text: a draft has some text and at most ``MAX_NARRATIVE_CHARS`` characters."""

    rule_id = "annual.narrative_text"


class ApprovalOfStaleDraft(ReportingRuleViolation):
    """annual.approve_latest: only the section's latest draft can be approved."""

    rule_id = "annual.approve_latest"


class ApproverWroteDraft(ReportingRuleViolation):
    """annual.four_eyes: the writer of a draft does not approve it."""

    rule_id = "annual.four_eyes"


class NarrativeIncomplete(ReportingRuleViolation):
    """annual.publish_complete: the report is published once every narrative section has an approved draft."""

    rule_id = "annual.publish_complete"


class AnnualReportPublished(ReportingRuleViolation):
    """annual.published_final: a published report is not changed; a correction is a new edition."""

    rule_id = "annual.published_final"


@dataclass(frozen=True, slots=True)
class NarrativeDraft:
    section: str
    version: int
    text: str
    written_by: str


@dataclass(frozen=True, slots=True)
class AnnualNarrative:
    """One partnership's narrative for one academic year: every draft kept, approvals by version."""

    partnership_id: str
    academic_year: str
    drafts: tuple[NarrativeDraft, ...] = ()
    approved: tuple[tuple[str, int, str], ...] = ()  # (section, version, approved by)
    published_by: str | None = None

    def _open(self) -> None:
        if self.published_by is not None:
            raise AnnualReportPublished("academic_year", f"the {self.academic_year} annual report is published")

    def latest(self, section: str) -> NarrativeDraft | None:
        versions = [d for d in self.drafts if d.section == section]
        return versions[-1] if versions else None

    def approved_text(self, section: str) -> NarrativeDraft | None:
        versions = {v for s, v, _ in self.approved if s == section}
        chosen = [d for d in self.drafts if d.section == section and d.version in versions]
        return chosen[-1] if chosen else None

    def draft(self, section: str, text: str, written_by: str) -> AnnualNarrative:
        self._open()
        if section not in NARRATIVE_SECTIONS:
            raise NotANarrativeSection("section", f"{section!r} is not a narrative section", NARRATIVE_SECTIONS)
        if not text.strip() or len(text) > MAX_NARRATIVE_CHARS:
            raise NarrativeTextInvalid("text", f"a draft has 1 to {MAX_NARRATIVE_CHARS} characters, not {len(text)}")
        latest = self.latest(section)
        version = 1 if latest is None else latest.version + 1
        return replace(self, drafts=(*self.drafts, NarrativeDraft(section, version, text, written_by)))

    def approve(self, section: str, version: int, approved_by: str) -> AnnualNarrative:
        self._open()
        latest = self.latest(section)
        if latest is None or latest.version != version:
            shown = "none" if latest is None else str(latest.version)
            raise ApprovalOfStaleDraft("version", f"version {version} of {section!r} is not its latest draft "
                                                  f"(latest: {shown})")
        if latest.written_by == approved_by:
            raise ApproverWroteDraft("approved_by", f"version {version} of {section!r} was written by the approver")
        return replace(self, approved=(*self.approved, (section, version, approved_by)))

    def publish(self, published_by: str) -> AnnualNarrative:
        self._open()
        missing = tuple(s for s in NARRATIVE_SECTIONS if self.approved_text(s) is None)
        if missing:
            raise NarrativeIncomplete("sections", "these sections have no approved draft", missing)
        return replace(self, published_by=published_by)
