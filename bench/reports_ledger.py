"""The quarterly return's time for ``bench.reports`` (issue 15): finance's report code from its ledger read model.

Issue 15's must-show names "the time to produce ... the quarterly return from the read models". The return is
the finance service's: ``load_snapshot`` reads one budget's ledger from the ledger read model as recorded by
the quarter's end, ``quarterly_return`` builds it (seed 001 appendix 5), and it is written as JSON and CSV as
the API and ``make reports`` write it. The ledger is sized as a busy provision's year: its budget and lines,
``spends`` spend records spread over the year across the lines (a daily transport line, weekly resources,
monthly staffing: about 300 a year; the default 1,200 is four times that) and a commitment, for each of
``provisions`` provisions in one read model, applied once by finance's own projection (``demo.reports_finance``
applies it the same way). Each repeat produces the fourth quarter's return (the whole year's entries).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from ap_contracts.events.finance import (
    BudgetLineSet,
    BudgetSet,
    CommitmentRaised,
    FinanceEvent,
    FundingSource,
    SpendRecorded,
)
from ap_finance.adapters.read_models import load_snapshot
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.reports.builders import quarterly_return
from ap_finance.reports.periods import quarter
from ap_finance.reports.render_csv import render_csv
from demo.reports_envelope import apply_events
from demo.reports_finance import recorded_on_its_day
from demo.synthetic_finance import LINES, THRESHOLD

FINANCIAL_YEAR = "2024-25"
QUARTER = 4


def _ids(rng: random.Random, provision_id: str) -> dict[str, Any]:
    return {"budget_id": uuid.UUID(int=rng.getrandbits(128), version=4), "provision_id": provision_id,
            "financial_year": FINANCIAL_YEAR}


def ledger_events(provisions: int, spends: int, seed: int = 15) -> list[FinanceEvent]:
    """Each provision's budget, lines, ``spends`` spend records over the year and a commitment."""
    rng = random.Random(seed)  # nosec B311 - synthetic data, repeatable by its seed
    first = date(2024, 4, 1)
    categories = list(LINES)
    events: list[FinanceEvent] = []
    for n in range(provisions):
        ids = _ids(rng, f"prov-bench-{n}")
        events.append(BudgetSet(**ids, host_school_id=f"school-{n}", partnership_id=f"np-{n}",
                                dsg_allocation_pence=sum(LINES.values()), top_up_pence=0, carry_forward_pence=0,
                                signature_threshold_pence=THRESHOLD))
        events += [BudgetLineSet(**ids, category=c, funding_source=FundingSource.DSG_ALLOCATION, amount_pence=p)
                   for c, p in LINES.items()]
        for k in range(spends):
            category = categories[k % len(categories)]
            events.append(SpendRecorded(
                **ids, spend_id=uuid.UUID(int=rng.getrandbits(128), version=4), supplier="Bench supplier",
                category=category, funding_source=FundingSource.DSG_ALLOCATION,
                amount_pence=max(1, LINES[category] // spends), spent_on=first + timedelta(days=k * 364 // spends),
                evidence_reference=f"INV-{k}"))
        events.append(CommitmentRaised(**ids, commitment_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                                       supplier="Bench supplier", category=categories[-1],
                                       funding_source=FundingSource.DSG_ALLOCATION, amount_pence=500_00,
                                       raised_on=first + timedelta(days=200), evidence_reference="PO-1"))
    return events


async def load_ledger(pool: asyncpg.Pool, provisions: int, spends: int) -> float:
    """Apply the ledger with finance's projection into ``pool``'s database; returns the seconds it took."""
    started = time.perf_counter()
    await apply_events(pool, FinanceLedgerProjection(), ledger_events(provisions, spends), recorded_on_its_day)
    return time.perf_counter() - started


async def quarterly_return_ms(pool: asyncpg.Pool, spends: int) -> dict[str, float]:
    """Milliseconds to read the first provision's ledger as recorded by Q4's end, build the return and write it
    as JSON and CSV; checks the return counted every spend."""
    period = quarter(FINANCIAL_YEAR, QUARTER)
    recorded_by = datetime.combine(period.end, datetime.max.time(), tzinfo=UTC)
    started = time.perf_counter()
    snapshot = await load_snapshot(pool, "prov-bench-0", FINANCIAL_YEAR, recorded_by)
    loaded = time.perf_counter()
    if snapshot is None:
        raise AssertionError("the bench ledger was not projected")
    report = quarterly_return(snapshot, QUARTER, period.end + timedelta(days=1), recorded_by)
    built = time.perf_counter()
    report.model_dump_json(indent=2)
    render_csv(report)
    done = time.perf_counter()
    if len(snapshot.entries) < spends:
        raise AssertionError(f"the return read {len(snapshot.entries)} ledger entries, not {spends} spends or more")
    return {"quarterly_return_ms": round((done - started) * 1000, 2),
            "quarterly_return_read_ms": round((loaded - started) * 1000, 2),
            "quarterly_return_build_ms": round((built - loaded) * 1000, 2),
            "quarterly_return_write_ms": round((done - built) * 1000, 2)}
