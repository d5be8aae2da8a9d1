"""The finance CSV and xlsx exports cannot carry a formula from text (issue 9, CSV/xlsx exports): text
beginning with = + - @ tab or CR is quoted; money and counts, negative ones included, stay numbers; the
workbook's only formulas are the totals and row arithmetic it builds itself (issue 12)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from uuid import uuid4

from openpyxl import load_workbook

from ap_finance.reports.models import (
    BudgetHeader,
    CategoryFigures,
    FundingFigures,
    PlacementCostFigures,
    QuarterlyReturn,
    SchoolAllocationFigures,
    SourcePosition,
    YearEndFigures,
)
from ap_finance.reports.render_csv import render_csv
from ap_finance.reports.render_xlsx import quarterly_return_workbook
from ap_testing.workbook_formulas import cell_value

# The formulas the workbook builds: a SUM over a column's rows, or cell references added and subtracted.
BUILT_FORMULA = r"=(SUM\([A-Z][0-9]+:[A-Z][0-9]+\)|[A-Z][0-9]+([+-][A-Z][0-9]+)+)"
HOSTILE_NOTE = '=HYPERLINK("http://evil.example","Open")'


def figures(line: str, variance: int) -> CategoryFigures:
    return CategoryFigures(line=line, budget_pence=100_000, actual_pence=90_000, committed_pence=5_000,
                           remaining_pence=5_000, forecast_outturn_pence=100_000 - variance,
                           forecast_variance_pence=variance)


def hostile_return() -> QuarterlyReturn:
    header = BudgetHeader(provision_id="prov-1", host_school_id="host-1", partnership_id="np-1",
                          financial_year="2025-26", year_closed_on=None, as_at=date(2025, 6, 30),
                          generated_at=datetime(2025, 7, 1, tzinfo=UTC),
                          source=SourcePosition(stream_id="budget-1", stream_version=3, event_id=uuid4(),
                                                recorded_at=datetime(2025, 6, 30, tzinfo=UTC)))
    funding = FundingFigures(funding_source="@dsg", budget_pence=1, actual_pence=1, committed_pence=0,
                             remaining_pence=0)
    return QuarterlyReturn(
        header=header, quarter=1, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30),
        categories=(figures("+staffing", -1_500),), total=figures("total", -1_500), funding=(funding,),
        funding_total=funding,
        year_end=YearEndFigures(brought_forward_pence=0, surplus_pence=None, allocated_to_schools_pence=0,
                                clawed_back_pence=0, carried_forward_pence=0, still_available_pence=0),
        allocations=(SchoolAllocationFigures(school_id="-school", amount_pence=-200),),
        placement_costs=PlacementCostFigures(placements="c", pupil_days=12, actual_pence=0,
                                             cost_per_placement_pence=None, cost_per_pupil_day_pence=None),
        notes=(HOSTILE_NOTE, "\tTabbed note"),
    )


def test_the_csv_quotes_formula_like_text_and_keeps_negative_money_a_number() -> None:
    rows = list(csv.reader(io.StringIO(render_csv(hostile_return()))))
    every_cell = [cell for row in rows[1:] for cell in row]
    assert "'" + HOSTILE_NOTE in every_cell and "'\tTabbed note" in every_cell
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in every_cell)
    variance = next(r for r in rows if r[1] == "+staffing" or r[1] == "'+staffing")
    assert variance[1] == "'+staffing"
    [value_cell] = [r[3] for r in rows if r[1] == "'+staffing" and r[2] == "forecast_variance"]
    assert value_cell == "-1500"  # a number: not quoted
    [display] = [r[5] for r in rows if r[1] == "'+staffing" and r[2] == "forecast_variance"]
    assert display.startswith("'-")  # the pounds text is text


def test_the_workbook_holds_no_formula_from_text_and_its_money_stays_numeric() -> None:
    """Its only formulas are the checkable totals and row arithmetic it builds from cell positions (issue 12)."""
    book = load_workbook(io.BytesIO(quarterly_return_workbook(hostile_return())))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    formulas = [c for c in cells if c.data_type == "f"]
    assert formulas and all(re.fullmatch(BUILT_FORMULA, str(c.value)) for c in formulas), [c.value for c in formulas]
    texts = [c.value for c in cells if isinstance(c.value, str) and c.data_type != "f"]
    assert "'" + HOSTILE_NOTE in texts and "'-school (no name on the register)" in texts
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert -2 in numbers  # the allocation, in pounds
    budget = book["Budget v actual"]
    variance = next(c for c in budget[next(c.row for c in budget["A"] if c.value == "'+staffing")] if c.column == 9)
    assert cell_value(budget, variance.coordinate) == -15  # the forecast variance, in pounds
