"""The annual report's Budget Summary (issue 15, seed 001 appendix 3): the partnership's budget lines for the
financial year the academic year starts in, by finance's own ledger arithmetic (revised budget after virements,
actual, committed, remaining), and the Staffing line beside the Staffing narrative."""

from __future__ import annotations

import pytest

from ap_contracts.events.finance import BudgetCategory
from ap_reporting.adapters.partnership_annual_document import NO_BUDGET, partnership_annual_document, pounds
from ap_reporting.domain.annual_narrative import AnnualNarrative
from ap_reporting.domain.budget_summary import BudgetLine, budget_summary, financial_year_of
from ap_reporting.domain.partnership_annual import assemble_partnership_annual
from ap_runtime.documents import render_html
from ap_testing.reporting.finance_budget import budget_ids, partnership_budget, spend

YEAR = "2024/25"


def test_lines_are_finance_s_revised_budget_actual_committed_and_remaining() -> None:
    events = [*partnership_budget("np-1"), *partnership_budget("np-2"), *partnership_budget("np-1", "2025-26")]

    summary = budget_summary("np-1", YEAR, events)

    assert summary.financial_year == "2024-25" and summary.provisions == ("prov-np-1",)
    assert summary.lines == (BudgetLine("Staffing", 61_000_00, 2_000_00, 0, 59_000_00),
                             BudgetLine("Resources", 7_000_00, 100_00, 200_00, 6_700_00))
    assert summary.total() == BudgetLine("Total", 68_000_00, 2_100_00, 200_00, 65_700_00)


def test_a_budget_not_yet_given_to_lines_is_shown_as_such() -> None:
    events = partnership_budget("np-1")[:2]  # set, and only the Staffing line given

    summary = budget_summary("np-1", YEAR, events)

    assert summary.line("Not yet given to a line") == BudgetLine("Not yet given to a line", 8_000_00, 0, 0, 8_000_00)


def test_spend_of_another_budget_never_reaches_the_partnership_s_lines() -> None:
    stray = spend(budget_ids("np-1"), BudgetCategory.STAFFING, 5_000_00)  # a budget id no BudgetSet of np-1 names
    assert budget_summary("np-1", YEAR, [*partnership_budget("np-1"), stray]).line("Staffing") == \
        budget_summary("np-1", YEAR, partnership_budget("np-1")).line("Staffing")


def test_the_document_shows_the_lines_and_the_staffing_line_beside_its_text() -> None:
    figures = assemble_partnership_annual("np-1", YEAR, [], [], sexes={})
    summary = budget_summary("np-1", YEAR, partnership_budget("np-1"))

    html = render_html(partnership_annual_document(figures, AnnualNarrative("np-1", YEAR), summary))

    budget_part = html[html.index("Budget Summary"):html.index("Service Delivery")]
    assert "£61,000.00" in budget_part and "£6,700.00" in budget_part and "£65,700.00" in budget_part
    staffing = budget_part.index(">Staffing</h2>")  # the next section: its narrative, then the Staffing line
    assert budget_part.index("Staffing budget, financial year 2024-25", staffing) > staffing
    empty = render_html(partnership_annual_document(figures, AnnualNarrative("np-1", YEAR),
                                                    budget_summary("np-1", YEAR, [])))
    assert NO_BUDGET.replace("'", "&#39;") in empty and "Staffing budget" not in empty


def test_a_budget_of_another_partnership_or_year_is_refused() -> None:
    figures = assemble_partnership_annual("np-1", YEAR, [], [], sexes={})
    for other in (budget_summary("np-2", YEAR, []), budget_summary("np-1", "2025/26", [])):
        with pytest.raises(ValueError, match="another partnership or financial year"):
            partnership_annual_document(figures, AnnualNarrative("np-1", YEAR), other)


def test_money_and_years_are_written_as_finance_writes_them() -> None:
    assert (pounds(123_456_78), pounds(-5), pounds(0)) == ("£123,456.78", "-£0.05", "£0.00")
    assert financial_year_of("2024/25") == "2024-25"
    with pytest.raises(ValueError, match="2024-25"):
        financial_year_of("2024-25")
