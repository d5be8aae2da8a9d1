"""The Schools Forum tables of ``make reports`` (seed 004): exclusions and suspensions by phase with rates per
100 on roll, panel referrals per year, Fair Access cases per panel in the 38/69/100 school-day bands (the
seed's cumulative layout) and reasons by DfE code, for the last three academic years (the most the report
spans), in the formats the reporting API offers for it (JSON, CSV, the workbook, the page and, unless the run
skips PDFs, the PDF).

Reporting's own projections (exclusion reasons, commissioning facts) have applied the synthetic events from
Kafka (``demo.reports_pipeline``); the report is read back by the readers the route uses and assembled by
``assemble_schools_forum``; the exclusion strategy tables (the same tables by phase) are assembled from the
same reads.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from ap_reporting.adapters.csv_render import tables_csv
from ap_reporting.adapters.document_render import schools_forum_document
from ap_reporting.adapters.xlsx_render import tables_workbook
from ap_reporting.domain.la_figures import StrategyReport, assemble_strategy
from ap_reporting.domain.schools_forum_report import assemble_schools_forum
from ap_reporting.projections.commissioning_facts import (
    CommissioningFactsReader,
    read_rolls,
)
from ap_reporting.projections.exclusion_reasons import read_exclusion_reasons
from ap_runtime.documents import render_html, render_pdf

WriteFile = Callable[[str, str | bytes], None]
YEARS_SPANNED = 3


async def write_schools_forum(pool: asyncpg.Pool, years: list[str], file: WriteFile, *,
                              pdf: bool = True) -> StrategyReport:
    """Writes the Schools Forum tables; answers the exclusion strategy tables, made from the same facts by the same
    rule, for the caller to write in every document format."""
    spanned = years[-YEARS_SPANNED:]
    referrals, cases = await CommissioningFactsReader(pool).read()
    records, rolls = await read_exclusion_reasons(pool, spanned), await read_rolls(pool, spanned)
    report = assemble_schools_forum(spanned, referrals, cases, records, rolls, cumulative=True)
    file("local-authority/schools-forum.json", report.model_dump_json(indent=2))
    file("local-authority/schools-forum.csv", tables_csv(report.tables))
    document = schools_forum_document(report)
    file("local-authority/schools-forum.xlsx", tables_workbook(report.tables, document.notes))
    file("local-authority/schools-forum.html", render_html(document))
    if pdf:
        file("local-authority/schools-forum.pdf", render_pdf(document))
    return assemble_strategy(spanned, records, rolls)
