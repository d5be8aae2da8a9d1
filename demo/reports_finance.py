"""The finance team's reports of ``make reports`` (seed 001 section 5, appendix 5): each provision's quarterly
return for every quarter of each financial year (JSON, CSV, .xlsx, HTML, PDF) and its governing-body summary
(JSON, CSV, HTML, PDF), the formats finance renders them in, by finance's own builders and renderers.

Finance's ledger and placement-costs projections are registered in the demo's read-model database and apply
the synthetic budgets (``demo.synthetic_finance``) and the pupils' placements as their runners would; each
event is recorded on its own day (a spend on its ``spent_on``, a placement on its start or end, a budget on
the year's first day), and each quarterly return reads the ledger as recorded by its quarter's end
(``load_snapshot(recorded_by=...)``), so Q1 shows Q1's spend, not the year's. Reports are produced the day
after the last financial year ends, so the same size gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_finance.adapters.read_models import load_snapshot
from ap_finance.domain.financial_year import first_day
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.reports.builders import governing_body_summary, quarterly_return
from ap_finance.reports.periods import quarter
from ap_finance.reports.render_csv import render_csv
from ap_finance.reports.render_document import governing_body_summary_document, quarterly_return_document
from ap_finance.reports.render_xlsx import quarterly_return_workbook
from ap_finance.reports.snapshot import LedgerSnapshot
from ap_runtime.documents import render_html, render_pdf
from demo.reports_envelope import apply_events
from demo.synthetic_finance import Budget, budgets, synthetic_finance_events
from demo.synthetic_la import LaSize

WriteFile = Callable[[str, str | bytes], None]
DAY_FIELDS = ("spent_on", "raised_on", "start_date", "end_date")


def recorded_on_its_day(event: DomainEvent) -> datetime:
    """When the synthetic event is recorded: at the end of its own day, a budget's on its year's first day."""
    for name in DAY_FIELDS:
        day = getattr(event, name, None)
        if isinstance(day, date):
            return datetime.combine(day, time(17), tzinfo=UTC)
    return datetime.combine(first_day(getattr(event, "financial_year")), time(9), tzinfo=UTC)  # noqa: B009


async def _snapshot(pool: asyncpg.Pool, budget: Budget, recorded_by: datetime | None) -> LedgerSnapshot:
    snapshot = await load_snapshot(pool, budget.provision_id, budget.financial_year, recorded_by)
    if snapshot is None:
        raise RuntimeError(f"the ledger of {budget} was not projected")
    return snapshot


async def write_finance(dsn: str, size: LaSize, pupil_events: Sequence[DomainEvent], file: WriteFile, *,
                        pdf: bool) -> None:
    today = quarter(budgets(size)[-1].financial_year, 4).end + timedelta(days=1)
    produced = datetime.combine(today, time(9), tzinfo=UTC)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        await apply_events(pool, FinanceLedgerProjection(), synthetic_finance_events(size), recorded_on_its_day)
        placements = [e for e in pupil_events if isinstance(e, PlacementStarted | PlacementEnded)]
        await apply_events(pool, PlacementCostsProjection(), placements, recorded_on_its_day)
        for budget in budgets(size):
            folder = f"finance/{budget.provision_id}/{budget.financial_year}"
            for number in (1, 2, 3, 4):
                quarter_end = datetime.combine(quarter(budget.financial_year, number).end, time(23, 59), tzinfo=UTC)
                report = quarterly_return(await _snapshot(pool, budget, quarter_end), number, today, produced)
                name = f"{folder}/quarterly-return-q{number}"
                file(f"{name}.json", report.model_dump_json(indent=2))
                file(f"{name}.csv", render_csv(report))
                file(f"{name}.xlsx", quarterly_return_workbook(report))
                file(f"{name}.html", render_html(quarterly_return_document(report)))
                if pdf:
                    file(f"{name}.pdf", render_pdf(quarterly_return_document(report)))
            summary = governing_body_summary(await _snapshot(pool, budget, None), today, produced)
            file(f"{folder}/governing-body-summary.json", summary.model_dump_json(indent=2))
            file(f"{folder}/governing-body-summary.csv", render_csv(summary))
            file(f"{folder}/governing-body-summary.html", render_html(governing_body_summary_document(summary)))
            if pdf:
                file(f"{folder}/governing-body-summary.pdf", render_pdf(governing_body_summary_document(summary)))
    finally:
        await pool.close()
