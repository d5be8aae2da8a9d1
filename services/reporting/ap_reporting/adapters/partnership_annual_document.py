"""The Neighbourhood Partnership annual report as one document (seed 001 appendix 3): every section of
the template in its order, the narrative sections in their approved text and the figure sections from
``partnership_annual``, rendered by ``ap_runtime.documents`` (HTML and PDF). The Budget Summary is finance's
ledger for the partnership's provisions and the financial year (``budget_summary``), and the Staffing section
shows the Staffing line's budget and spend beside its narrative text.

A report whose narrative is not published yet is marked a draft on its first page, and its narrative sections
say so rather than showing any text (commissioning publishes only approved texts, rule
narrative.publish_complete).
"""

from __future__ import annotations

from ap_contracts.events.commissioning_narrative import NarrativeSection
from ap_reporting.adapters.document_render import document_table
from ap_reporting.domain.annual_narrative import ANNUAL_TEMPLATE, AnnualNarrative, SectionKind
from ap_reporting.domain.budget_summary import BudgetLine, BudgetSummary, financial_year_of
from ap_reporting.domain.partnership_annual import PartnershipAnnualFigures
from ap_runtime.documents import Document, DocumentTable, Fact, Section

SERVICE_DELIVERY, KPIS = ANNUAL_TEMPLATE[3][0], ANNUAL_TEMPLATE[5][0]
AWAITING = "No approved text for this section yet."
STAFFING = NarrativeSection.STAFFING.value
NO_BUDGET = "No budget is recorded for the partnership's provisions for this financial year."
MONEY_COLUMNS = ("Revised budget", "Actual spend", "Commitments", "Remaining")


def pounds(pence: int) -> str:
    """Whole pence as pounds, ``-£1,234.50`` (exact: integer arithmetic)."""
    whole, part = divmod(abs(pence), 100)
    return f"{'-' if pence < 0 else ''}£{whole:,}.{part:02d}"


def _money(line: BudgetLine) -> tuple[str, ...]:
    return (pounds(line.budget_pence), pounds(line.actual_pence), pounds(line.committed_pence),
            pounds(line.remaining_pence))


def _budget(name: str, budget: BudgetSummary) -> Section:
    if not budget.lines:
        return Section(name, paragraphs=(NO_BUDGET,))
    rows = tuple((line.name, *_money(line)) for line in budget.lines)
    return Section(name, paragraphs=(f"Financial year {budget.financial_year}, provision(s) "
                                     f"{', '.join(budget.provisions)}, from finance's ledger.",),
                   tables=(DocumentTable("Budget by line", ("Budget line", *MONEY_COLUMNS), rows,
                                         total=("Total", *_money(budget.total()))),))


def _staffing_line(budget: BudgetSummary) -> tuple[DocumentTable, ...]:
    line = budget.line("Staffing")
    if line is None:
        return ()
    return (DocumentTable(f"Staffing budget, financial year {budget.financial_year}", ("Budget line", *MONEY_COLUMNS),
                          (("Staffing", *_money(line)),)),)


def _indicators(figures: PartnershipAnnualFigures) -> DocumentTable:
    return DocumentTable("Performance indicators", ("Indicator", "Value"), (
        ("Attendance (% of possible sessions)", str(figures.attendance_percent)),
        ("Reintegration rate (% of placements ended)", str(figures.reintegration_rate_percent)),
        ("Mean length of stay (days, placements ended)", str(figures.mean_length_of_stay_days))))


def _section(name: str, kind: SectionKind, figures: PartnershipAnnualFigures, narrative: AnnualNarrative,
             budget: BudgetSummary) -> Section:
    if kind is SectionKind.NARRATIVE:
        approved = narrative.approved_text(name)
        return Section(name, paragraphs=(AWAITING if approved is None else approved.text,),
                       tables=_staffing_line(budget) if name == STAFFING else ())
    if kind is SectionKind.FINANCE:
        return _budget(name, budget)
    if name == SERVICE_DELIVERY:
        return Section(name, tables=tuple(document_table(t) for t in figures.tables))
    if name == KPIS:
        return Section(name, tables=(_indicators(figures),))
    raise ValueError(f"the template's section {name!r} has no figures")


def partnership_annual_document(figures: PartnershipAnnualFigures, narrative: AnnualNarrative,
                                budget: BudgetSummary) -> Document:
    if (figures.partnership_id, figures.academic_year) != (narrative.partnership_id, narrative.academic_year):
        raise ValueError("the figures and the narrative are of different partnerships or years")
    if (budget.partnership_id, budget.financial_year) != (figures.partnership_id,
                                                          financial_year_of(figures.academic_year)):
        raise ValueError("the budget summary is of another partnership or financial year than the figures")
    status = "published" if narrative.published_by is not None else "draft, not published"
    return Document(
        title=f"Primary Behaviour Provision report to stakeholders, {figures.academic_year}",
        audience="the Neighbourhood Partnership's stakeholders and the local authority",
        facts=(Fact("Neighbourhood Partnership", figures.partnership_id),
               Fact("Academic year", figures.academic_year), Fact("Status", status)),
        sections=tuple(_section(name, kind, figures, narrative, budget) for name, kind in ANNUAL_TEMPLATE),
        notes=figures.notes)
