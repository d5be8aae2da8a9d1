"""`make reports`: load a synthetic local authority and write every report for every audience to a folder.

The generator's events (``demo.synthetic_la``, ``demo.synthetic_commissioning``) are appended to fresh incidents and
commissioning event stores, relayed to this run's own Kafka topics and applied by reporting's projection runners
into a fresh read-model database (``demo.reports_pipeline``; databases and topics are dropped afterwards), the
reports are built from the facts read back by reporting's application functions (as its API builds them), and each
is written as JSON, CSV, .xlsx, HTML and (unless ``--no-pdf``) PDF under ``reports-out/`` (ignored by git), the
formats the reporting API offers: the LA annual figures and the exclusion strategy tables for the local authority,
the termly report and the annual report (appendix 3, narrative drafted by the lead, approved by the chair and
published) for each Neighbourhood Partnership, the DfE census returns (exclusions, AP placements) per academic year,
across the LA and each school's own file (what its MIS imports), each school's weekly home-school report (JSON and
CSV, ``demo.reports_weekly``), the Schools Forum tables (JSON and CSV, ``demo.reports_schools_forum``), and each
provision's quarterly returns and governing-body summary from finance's ledger (``demo.reports_finance``), and the
commissioner's self-audit trends (``demo.reports_self_audit``). Not through Kafka: the DfE returns are built from
the generator's events as ``dfe_returns`` takes them, and finance's ledger and the self-audits are applied
in-process (their reports print each event's recorded moment, which an event store sets to now()).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from pydantic import BaseModel

from ap_contracts.events.base import DomainEvent
from ap_reporting.adapters.csv_render import tables_csv
from ap_reporting.adapters.document_render import annual_document, partnership_document, strategy_document
from ap_reporting.adapters.partnership_annual_document import partnership_annual_document
from ap_reporting.adapters.returns_csv import ap_placements_return_csv, exclusions_return_csv
from ap_reporting.adapters.xlsx_render import tables_workbook
from ap_reporting.application import reports
from ap_reporting.domain.annual_narrative import AnnualNarrative
from ap_reporting.domain.budget_summary import budget_summary
from ap_reporting.domain.dfe_returns import ap_placements_return, exclusions_return, rows_by_school
from ap_reporting.domain.periods import PeriodKind, academic_year_period, periods_of
from ap_reporting.domain.published import Table
from ap_reporting.domain.vocabulary import Period
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.queries import FactsQueries
from ap_runtime.documents import Document, render_html, render_pdf
from ap_runtime.projection import read_models
from ap_testing.reporting.narrative import published_narrative as synthetic_narrative
from demo.reports_finance import write_finance
from demo.reports_pipeline import LoadedRun, load_through_kafka
from demo.reports_schools_forum import write_schools_forum
from demo.reports_self_audit import write_self_audits
from demo.reports_weekly import ConnectionFacts, write_weekly
from demo.synthetic_commissioning import synthetic_commissioning_events
from demo.synthetic_finance import synthetic_finance_events
from demo.synthetic_la import LaSize, synthetic_events

OUT = Path("reports-out")
LEAD, CHAIR = "partnership-lead", "partnership-chair"
DEFAULT = LaSize()


@dataclass(frozen=True, slots=True)
class ReportsRun:
    """The files written, and how many records each reporting projection's runner applied from its topic."""

    written: list[Path]
    applied: dict[str, int]


class _Writer:
    def __init__(self, out: Path, pdf: bool) -> None:
        self.out, self.pdf = out, pdf
        self.written: list[Path] = []

    def file(self, name: str, content: str | bytes) -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        self.written.append(path)

    def report(self, name: str, model: BaseModel, tables: Sequence[Table], document: Document) -> None:
        self.file(f"{name}.json", model.model_dump_json(indent=2))
        self.file(f"{name}.csv", tables_csv(tables))
        self.file(f"{name}.xlsx", tables_workbook(tables, document.notes))
        self.file(f"{name}.html", render_html(document))
        if self.pdf:
            self.file(f"{name}.pdf", render_pdf(document))


def published_narrative(partnership_id: str, year: str) -> AnnualNarrative:
    """The lead drafts every narrative section, the chair approves each draft, and the report is published
    (commissioning's rules, ``ap_testing.reporting.narrative``)."""
    return synthetic_narrative(partnership_id, year, LEAD, CHAIR,
                               lambda section: f"{section} of {partnership_id} in {year} (synthetic text).")


def _returns(w: _Writer, folder: str, events: Sequence[DomainEvent], period: Period) -> None:
    """The census files across the LA, and each school's own (what its MIS imports)."""
    exclusions, placements = exclusions_return(events, period), ap_placements_return(events, period)
    w.file(f"{folder}/census-exclusions.csv", exclusions_return_csv(exclusions))
    w.file(f"{folder}/census-ap-placements.csv", ap_placements_return_csv(placements))
    for school, rows in rows_by_school(exclusions).items():
        w.file(f"{folder}/{school}/census-exclusions.csv", exclusions_return_csv(rows))
    for school, ap_rows in rows_by_school(placements).items():
        w.file(f"{folder}/{school}/census-ap-placements.csv", ap_placements_return_csv(ap_rows))


async def _write_all(conn: asyncpg.Connection, size: LaSize, events: Sequence[DomainEvent], w: _Writer) -> None:
    """Each report built by reporting's application functions, as its API builds it, over the run's one snapshot."""
    reader = ConnectionFacts(FactsQueries(conn))
    finance = synthetic_finance_events(size)  # the Budget Summary: finance's ledger, in process like the narrative
    for year in size.academic_years():
        slug = year.replace("/", "-")
        annual = await reports.annual_report(reader, year)
        w.report(f"local-authority/annual-{slug}", annual, annual.tables, annual_document(annual))
        _returns(w, f"dfe-returns/{slug}", events, academic_year_period(year))
        for partnership in size.partnerships():
            for term in periods_of(year, PeriodKind.TERM):
                termly = await reports.partnership_report(reader, partnership, term.days)
                w.report(f"{partnership}/termly-{term.code.replace('/', '-')}", termly, termly.tables,
                         partnership_document(termly))
            figures = await reports.partnership_annual_figures(reader, partnership, year)
            w.report(f"{partnership}/annual-report-{slug}", figures, figures.tables,
                     partnership_annual_document(figures, published_narrative(partnership, year),
                                                 budget_summary(partnership, year, finance)))


async def write_reports(size: LaSize, admin_dsn: str, bootstrap: str, out: Path, *,
                        pdf: bool = True) -> ReportsRun:
    """Every report of the synthetic LA under ``out``, its events loaded through the event stores and Kafka
    (``demo.reports_pipeline``); the run's databases and topics are dropped afterwards."""
    events, commissioning = synthetic_events(size), synthetic_commissioning_events(size)
    run = LoadedRun(admin_dsn, bootstrap)
    writer = _Writer(out, pdf)
    try:
        await load_through_kafka(run, events, commissioning)
        pool = await asyncpg.create_pool(run.read_dsn, min_size=1, max_size=3)
        try:
            async with read_models(pool, [ReportingFactsProjection.name]) as conn:
                await _write_all(conn, size, events, writer)
                await write_weekly(conn, size.school_ids(), size.academic_years(), writer.file)
            strategy = await write_schools_forum(pool, size.academic_years(), writer.file, pdf=pdf)
        finally:
            await pool.close()
        writer.report("local-authority/exclusion-strategy", strategy, strategy.tables, strategy_document(strategy))
        await write_finance(run.read_dsn, size, events, writer.file, pdf=pdf)
        write_self_audits(size, writer.file)
    finally:
        await run.close()
    return ReportsRun(writer.written, dict(run.applied))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=DEFAULT.schools)
    parser.add_argument("--provisions", type=int, default=DEFAULT.provisions)
    parser.add_argument("--years", type=int, default=DEFAULT.years)
    parser.add_argument("--seed", type=int, default=DEFAULT.seed)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    size = LaSize(schools=args.schools, provisions=args.provisions, years=args.years, seed=args.seed)
    done = asyncio.run(write_reports(size, os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP_SERVERS"],
                                     args.out, pdf=not args.no_pdf))
    applied = ", ".join(f"{name} {count}" for name, count in done.applied.items())
    print(f"{len(done.written)} files written under {args.out}/ (records applied from Kafka: {applied})")


if __name__ == "__main__":
    main()
