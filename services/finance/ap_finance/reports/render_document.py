"""The finance reports as documents (HTML and PDF through ``ap_runtime.documents``): the quarterly
return, the termly monitoring and the governing-body summary.

Rule served (issue 15, "As documents"): the page shows the figures of the report model and nothing
else (no figure is computed here), formatted as the workbook shows them; budget against spend is drawn
as a chart as well as tabled. No pupil appears: the reports name organisations only (their models hold
no pupil field).
"""

from __future__ import annotations

from ap_contracts.money import format_pounds
from ap_finance.reports.models import (
    BudgetHeader,
    CategoryFigures,
    FundingFigures,
    GoverningBodySummary,
    PlacementCostFigures,
    PublishedNumber,
    QuarterlyReturn,
    SchoolAllocationFigures,
    TermlyMonitoring,
    YearEndFigures,
)
from ap_finance.reports.xlsx_layout import label, long_date, named
from ap_runtime.documents import BarChart, Document, DocumentTable, Fact, Section, Series

BUDGET_COLUMNS = ("Category", "Original budget", "Virements in / (out)", "Revised budget",
                  "Actual spend, year to date", "Commitments", "Remaining", "Forecast outturn", "Forecast variance")


def _money_cells(figures: CategoryFigures) -> tuple[str, ...]:
    return (label(figures.line), format_pounds(figures.budget_pence - figures.virements_pence),
            format_pounds(figures.virements_pence), format_pounds(figures.budget_pence),
            format_pounds(figures.actual_pence), format_pounds(figures.committed_pence),
            format_pounds(figures.remaining_pence), format_pounds(figures.forecast_outturn_pence),
            format_pounds(figures.forecast_variance_pence))


def _published(value: PublishedNumber, money: bool = False) -> str:
    if value is None:
        return "none"
    if value == "c":
        return "c (fewer than the suppression threshold)"
    return format_pounds(value) if money else f"{value:,}"


def _budget_section(categories: tuple[CategoryFigures, ...], total: CategoryFigures) -> Section:
    rows = tuple(_money_cells(c) for c in categories)
    chart = BarChart("Budget against spend by category (pounds)", tuple(label(c.line) for c in categories),
                     (Series("Revised budget", tuple(c.budget_pence / 100 for c in categories)),
                      Series("Actual spend", tuple(c.actual_pence / 100 for c in categories)),
                      Series("Commitments", tuple(c.committed_pence / 100 for c in categories))),
                     value_label=lambda pounds: f"£{pounds:,.0f}")
    table = DocumentTable("Budget against actual by category", BUDGET_COLUMNS, rows, _money_cells(total))
    return Section("Budget against actual", tables=(table,), charts=(chart,))


def _funding_cells(name: str, f: FundingFigures) -> tuple[str, ...]:
    return (name, *(format_pounds(v) for v in (f.budget_pence, f.actual_pence, f.committed_pence, f.remaining_pence)))


def _funding_section(funding: tuple[FundingFigures, ...], funding_total: FundingFigures | None,
                     year_end: YearEndFigures) -> Section:
    columns = ("Funding source", "Budget", "Actual spend", "Commitments", "Remaining")
    rows = tuple(_funding_cells(label(f.funding_source), f) for f in funding)
    total = None if funding_total is None else _funding_cells("Total", funding_total)
    surplus = "not yet known" if year_end.surplus_pence is None else format_pounds(year_end.surplus_pence)
    year_end_rows = (("Brought forward", format_pounds(year_end.brought_forward_pence)),
                     ("Surplus at year end", surplus),
                     ("Allocated to schools", format_pounds(year_end.allocated_to_schools_pence)),
                     ("Clawed back", format_pounds(year_end.clawed_back_pence)),
                     ("Carried forward", format_pounds(year_end.carried_forward_pence)),
                     ("Still available", format_pounds(year_end.still_available_pence)))
    funding_table = (DocumentTable("Funding sources", columns, rows, total),) if rows else ()
    heading = "Funding and year end" if rows else "Year end"
    return Section(heading, tables=(*funding_table, DocumentTable("Year end", ("Measure", "Amount"), year_end_rows)))


def _allocations_section(allocations: tuple[SchoolAllocationFigures, ...], costs: PlacementCostFigures) -> Section:
    rows = tuple((named(a.school_id, a.school_name), format_pounds(a.amount_pence)) for a in allocations)
    cost_rows = (("Placements", _published(costs.placements)), ("Pupil days", _published(costs.pupil_days)),
                 ("Actual spend", format_pounds(costs.actual_pence)),
                 ("Cost per placement", _published(costs.cost_per_placement_pence, money=True)),
                 ("Cost per pupil day", _published(costs.cost_per_pupil_day_pence, money=True)))
    tables = (DocumentTable("Surplus allocated by school", ("School", "Amount"), rows),) if rows else ()
    return Section("Allocations and placement costs",
                   tables=(*tables, DocumentTable("Placement costs", ("Measure", "Value"), cost_rows)))


def _facts(header: BudgetHeader, period: Fact | None, total: CategoryFigures) -> tuple[Fact, ...]:
    """Whose budget, the period and as-at date, and the headline totals."""
    return (Fact("Provision", named(header.provision_id, header.provision_name)),
            Fact("Host school", named(header.host_school_id, header.host_school_name)),
            Fact("Neighbourhood Partnership", named(header.partnership_id, header.partnership_name)),
            Fact("Financial year", header.financial_year),
            *((period,) if period else ()),
            Fact("Figures as at", f"{long_date(header.as_at)}: spend and commitments year to date; budgets and "
                                  "forecasts for the whole year"),
            Fact("Total revised budget", format_pounds(total.budget_pence)),
            Fact("Actual spend, year to date", format_pounds(total.actual_pence)),
            Fact("Remaining", format_pounds(total.remaining_pence)))


def quarterly_return_document(report: QuarterlyReturn) -> Document:
    """Seed 001 appendix 5's return for the LA schools' finance team, as a page and a PDF."""
    header = report.header
    period = Fact(f"Quarter {report.quarter}", f"{long_date(report.period_start)} to {long_date(report.period_end)}")
    return Document(title=f"Quarterly financial return, {header.financial_year} quarter {report.quarter}",
                    audience="the local authority's schools finance team", facts=_facts(header, period, report.total),
                    sections=(_budget_section(report.categories, report.total),
                              _funding_section(report.funding, report.funding_total, report.year_end),
                              _allocations_section(report.allocations, report.placement_costs)),
                    notes=report.notes)


def _term_section(report: TermlyMonitoring) -> Section:
    spend = DocumentTable("Actual spend dated in the term", ("Category", "Actual spend"),
                          tuple((label(s.line), format_pounds(s.actual_pence)) for s in report.spend_in_term),
                          ("Total", format_pounds(report.spend_in_term_total_pence)))
    waiting = DocumentTable("Items waiting for a second signature", ("Item", "Category", "Funding source", "Date",
                                                                     "Amount", "Signed for"),
                            tuple((p.item_kind, label(p.category), label(p.funding_source), long_date(p.item_date),
                                   format_pounds(p.amount_pence), ", ".join(p.signed_for) or "none")
                                  for p in report.awaiting_signatures))
    virements = DocumentTable("Virements to date", ("From", "To", "Funding source", "Amount", "Approved"),
                              tuple((label(v.from_category), label(v.to_category), label(v.funding_source),
                                     format_pounds(v.amount_pence), "yes" if v.approved else "awaiting approval")
                                    for v in report.virements_to_date))
    return Section(f"The {report.term}", tables=(spend, waiting, virements))


def termly_monitoring_document(report: TermlyMonitoring) -> Document:
    """Seed 001 section 5's termly monitoring from the host school to the Neighbourhood Partnership."""
    header = report.header
    period = Fact("Term", f"{report.term}: {long_date(report.period_start)} to {long_date(report.period_end)}")
    return Document(title=f"Termly budget monitoring, {header.financial_year}, {report.term}",
                    audience="the Neighbourhood Partnership", facts=_facts(header, period, report.total),
                    sections=(_budget_section(report.categories, report.total), _term_section(report),
                              _funding_section((), None, report.year_end),
                              _allocations_section(report.allocations, report.placement_costs)),
                    notes=report.notes)


def governing_body_summary_document(report: GoverningBodySummary) -> Document:
    """Seed 001 section 1's financial report to the host school's governing body."""
    header = report.header
    return Document(title=f"Behaviour budget: summary for the governing body, {header.financial_year}",
                    audience="the host school's governing body", facts=_facts(header, None, report.total),
                    sections=(_budget_section(report.categories, report.total),
                              _funding_section(report.funding, None, report.year_end),
                              _allocations_section(report.allocations, report.placement_costs)),
                    notes=report.notes)
