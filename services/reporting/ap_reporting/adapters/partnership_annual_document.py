"""The Neighbourhood Partnership annual report as one document (seed 001 appendix 3): every section of
the template in its order, the narrative sections in their approved text and the figure sections from
``partnership_annual``, rendered by ``ap_runtime.documents`` (HTML and PDF).

A report whose narrative is not published yet is marked a draft on its first page, and its narrative sections
say so rather than showing any text (commissioning publishes only approved texts, rule
narrative.publish_complete).
"""

from __future__ import annotations

from ap_reporting.adapters.document_render import document_table
from ap_reporting.domain.annual_narrative import ANNUAL_TEMPLATE, AnnualNarrative, SectionKind
from ap_reporting.domain.partnership_annual import PartnershipAnnualFigures
from ap_runtime.documents import Document, DocumentTable, Fact, Section

SERVICE_DELIVERY, KPIS = ANNUAL_TEMPLATE[3][0], ANNUAL_TEMPLATE[5][0]
AWAITING = "No approved text for this section yet."
FINANCE_PENDING = ("The budget summary for the financial year is finance's: see the quarterly return for the "
                   "year's fourth quarter. This report does not read the ledger yet.")


def _indicators(figures: PartnershipAnnualFigures) -> DocumentTable:
    return DocumentTable("Performance indicators", ("Indicator", "Value"), (
        ("Attendance (% of possible sessions)", str(figures.attendance_percent)),
        ("Reintegration rate (% of placements ended)", str(figures.reintegration_rate_percent)),
        ("Mean length of stay (days, placements ended)", str(figures.mean_length_of_stay_days))))


def _section(name: str, kind: SectionKind, figures: PartnershipAnnualFigures, narrative: AnnualNarrative) -> Section:
    if kind is SectionKind.NARRATIVE:
        approved = narrative.approved_text(name)
        return Section(name, paragraphs=(AWAITING if approved is None else approved.text,))
    if kind is SectionKind.FINANCE:
        return Section(name, paragraphs=(FINANCE_PENDING,))
    if name == SERVICE_DELIVERY:
        return Section(name, tables=tuple(document_table(t) for t in figures.tables))
    if name == KPIS:
        return Section(name, tables=(_indicators(figures),))
    raise ValueError(f"the template's section {name!r} has no figures")


def partnership_annual_document(figures: PartnershipAnnualFigures, narrative: AnnualNarrative) -> Document:
    if (figures.partnership_id, figures.academic_year) != (narrative.partnership_id, narrative.academic_year):
        raise ValueError("the figures and the narrative are of different partnerships or years")
    status = "published" if narrative.published_by is not None else "draft, not published"
    return Document(
        title=f"Primary Behaviour Provision report to stakeholders, {figures.academic_year}",
        audience="the Neighbourhood Partnership's stakeholders and the local authority",
        facts=(Fact("Neighbourhood Partnership", figures.partnership_id),
               Fact("Academic year", figures.academic_year), Fact("Status", status)),
        sections=tuple(_section(name, kind, figures, narrative) for name, kind in ANNUAL_TEMPLATE),
        notes=figures.notes)
