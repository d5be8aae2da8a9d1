"""The quarterly return as a page and a PDF (issue 15, "As documents" and "What it must show"): the PDF's
first page renders to a PNG that is not blank (pdftoppm -png -r 50), its text (pdftotext) holds the
headline figures as the workbook shows them, and the page names organisations, never a pupil."""

from __future__ import annotations

import subprocess  # nosec B404 - poppler's pdftoppm and pdftotext on files this test wrote
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from PIL import Image

from ap_finance.reports.models import (
    BudgetHeader,
    CategoryFigures,
    FundingFigures,
    GoverningBodySummary,
    PendingItemFigures,
    PlacementCostFigures,
    QuarterlyReturn,
    SchoolAllocationFigures,
    SourcePosition,
    TermlyMonitoring,
    TermSpend,
    YearEndFigures,
)
from ap_finance.reports.render_document import (
    governing_body_summary_document,
    quarterly_return_document,
    termly_monitoring_document,
)
from ap_runtime.documents import render_html, render_pdf


def _category(line: str, budget: int, actual: int, committed: int, virements: int = 0) -> CategoryFigures:
    forecast = actual * 2 + committed
    return CategoryFigures(line=line, budget_pence=budget, actual_pence=actual, committed_pence=committed,
                           remaining_pence=budget - actual - committed, forecast_outturn_pence=forecast,
                           forecast_variance_pence=budget - forecast, virements_pence=virements)


def quarterly_return() -> QuarterlyReturn:
    categories = (_category("staffing", 9_000_000, 4_123_456, 150_000, 250_000),
                  _category("resources", 1_500_000, 312_599, 0, -250_000),
                  _category("transport", 800_000, 201_000, 40_000))
    total = _category("total", *(sum(getattr(c, k) for c in categories)
                                 for k in ("budget_pence", "actual_pence", "committed_pence", "virements_pence")))
    header = BudgetHeader(
        provision_id="prov-north", host_school_id="school-oak", partnership_id="np-north",
        provision_name="Northgate Learning Centre", host_school_name="Oak Hill Academy",
        partnership_name="North Neighbourhood Partnership", financial_year="2025-26", year_closed_on=None,
        as_at=date(2025, 9, 30), generated_at=datetime(2025, 10, 1, 9, 0, tzinfo=UTC),
        source=SourcePosition(stream_id="budget-prov-north-2025-26", stream_version=41,
                              event_id=UUID(int=41), recorded_at=datetime(2025, 9, 29, 16, 0, tzinfo=UTC)))
    funding = FundingFigures(funding_source="dsg_allocation", budget_pence=total.budget_pence,
                             actual_pence=total.actual_pence, committed_pence=total.committed_pence,
                             remaining_pence=total.remaining_pence)
    return QuarterlyReturn(
        header=header, quarter=2, period_start=date(2025, 7, 1), period_end=date(2025, 9, 30),
        categories=categories, total=total, funding=(funding,), funding_total=funding,
        year_end=YearEndFigures(brought_forward_pence=120_000, surplus_pence=None, allocated_to_schools_pence=0,
                                clawed_back_pence=0, carried_forward_pence=0, still_available_pence=120_000),
        allocations=(SchoolAllocationFigures(school_id="school-elm", amount_pence=60_000,
                                             school_name="Elm Primary"),),
        placement_costs=PlacementCostFigures(placements="c", pupil_days=57, actual_pence=4_637_055,
                                             cost_per_placement_pence="c", cost_per_pupil_day_pence=81_352),
        notes=("Spend and commitments are year to date as at 30 September 2025.",))


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # nosec B603 - fixed poppler command


def test_quarterly_return_pdf_first_page_renders_and_holds_the_headline_figures(tmp_path: Path) -> None:
    pdf = tmp_path / "quarterly-return.pdf"
    pdf.write_bytes(render_pdf(quarterly_return_document(quarterly_return())))
    _run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    png = next(tmp_path.glob("page*.png"))
    with Image.open(png) as image:
        grey = image.convert("L")
        lo, hi = grey.getextrema()
        dark = sum(grey.histogram()[:128])
    assert hi - lo > 200, "the first page is blank"
    assert dark > 500, f"the first page has almost no ink ({dark} dark pixels)"
    text = " ".join(_run("pdftotext", "-layout", str(pdf), "-").split())
    assert "Quarterly financial return, 2025-26 quarter 2" in text
    assert "Northgate Learning Centre (prov-north)" in text
    assert "Total revised budget £113,000.00" in text  # 90,000 + 15,000 + 8,000
    assert "Actual spend, year to date £46,370.55" in text
    assert "Remaining £64,729.45" in text  # 113,000 - 46,370.55 - 1,900
    assert "1 July 2025 to 30 September 2025" in text
    assert "Budget against spend by category" in text  # the chart, drawn into the page


def test_quarterly_return_page_shows_the_return_in_tables_and_a_chart_naming_no_pupil() -> None:
    page = render_html(quarterly_return_document(quarterly_return()))
    assert "<caption>Budget against actual by category</caption>" in page
    assert '<th scope="row">Staffing</th><td class="num">£87,500.00</td><td class="num">£2,500.00</td>' in page
    assert "<tfoot>" in page and "£113,000.00" in page
    assert "<svg" in page and "Revised budget, Staffing: £90,000" in page
    assert "Cost per placement" in page and "c (fewer than the suppression threshold)" in page
    assert "pupil_ref" not in page and "date of birth" not in page.lower()


def test_termly_monitoring_and_governing_body_pages_show_their_own_sections(tmp_path: Path) -> None:
    base = quarterly_return()
    common = {"header": base.header, "categories": base.categories, "total": base.total, "year_end": base.year_end,
              "placement_costs": base.placement_costs, "notes": base.notes, "allocations": base.allocations}
    termly = TermlyMonitoring(
        **common, term="summer term 2025", period_start=date(2025, 4, 1), period_end=date(2025, 8, 31),
        spend_in_term=(TermSpend(line="staffing", actual_pence=2_000_000),), spend_in_term_total_pence=2_000_000,
        awaiting_signatures=(PendingItemFigures(item_kind="spend", category="resources", funding_source="top_up",
                                                amount_pence=3_500_000, item_date=date(2025, 6, 3),
                                                signed_for=("host_school",)),),
        virements_to_date=())
    page = render_html(termly_monitoring_document(termly))
    assert "<caption>Actual spend dated in the term</caption>" in page
    assert '<th scope="row">spend</th><td class="num">Resources</td><td class="num">Top-up</td>' in page
    assert "<strong>Virements to date</strong>: none." in page
    assert "Funding sources" not in page  # the termly report has none: no empty table
    summary = GoverningBodySummary(**common, funding=base.funding)
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(render_pdf(governing_body_summary_document(summary)))
    text = " ".join(_run("pdftotext", "-layout", str(pdf), "-").split())
    assert "summary for the governing body, 2025-26" in text
    assert "Total revised budget £113,000.00" in text
