"""The finance ledger of the synthetic LA for the finance team's reports (seed 001 section 5, appendix 5): for
each provision and financial year, its budget set from the DSG allocation, its lines, a month of spend per line
and a commitment raised. One provision per Neighbourhood Partnership, hosted by the partnership's first school.

Seeded apart from ``demo.synthetic_la`` (seed + 2), identities drawn from the seed, so the same size gives
the same budgets and ledger.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from ap_contracts.events.finance import (
    BudgetCategory,
    BudgetLineSet,
    BudgetSet,
    CommitmentRaised,
    FinanceEvent,
    FundingSource,
    SpendRecorded,
)
from demo.synthetic_la import LaSize

LINES = {BudgetCategory.STAFFING: 60_000_00, BudgetCategory.RESOURCES: 8_000_00, BudgetCategory.TRANSPORT: 6_000_00,
         BudgetCategory.EXTERNAL_SERVICES: 10_000_00}
THRESHOLD = 30_000_00  # seed 001: items of £30,000 or more need a second signature


@dataclass(frozen=True, slots=True)
class Budget:
    provision_id: str
    financial_year: str


def provision_of(partnership: str) -> str:
    """The provision's id as the pupils' placements name it (``ap_testing.reporting.events``)."""
    return f"prov-{partnership}"


def budgets(size: LaSize) -> list[Budget]:
    """Each provision's budget per financial year (the years the academic years start in)."""
    return [Budget(provision_of(p), f"{y}-{(y + 1) % 100:02d}")
            for y in range(size.first_year, size.first_year + size.years) for p in size.partnerships()]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _budget_events(rng: random.Random, budget: Budget, host: str, partnership: str) -> list[FinanceEvent]:
    ids = {"budget_id": _uuid(rng), "provision_id": budget.provision_id, "financial_year": budget.financial_year}
    first = date(int(budget.financial_year[:4]), 4, 1)
    events: list[FinanceEvent] = [BudgetSet(**ids, host_school_id=host, partnership_id=partnership,
                                            dsg_allocation_pence=sum(LINES.values()), top_up_pence=0,
                                            carry_forward_pence=0, signature_threshold_pence=THRESHOLD)]
    events += [BudgetLineSet(**ids, category=c, funding_source=FundingSource.DSG_ALLOCATION, amount_pence=pence)
               for c, pence in LINES.items()]
    for month in range(12):
        for category, pence in LINES.items():
            events.append(SpendRecorded(
                **ids, spend_id=_uuid(rng), supplier="Synthetic supplier", category=category,
                funding_source=FundingSource.DSG_ALLOCATION, amount_pence=round(pence / 12 * rng.uniform(0.6, 1.1)),
                spent_on=first + timedelta(days=30 * month + rng.randint(0, 25)), evidence_reference=f"INV-{month}"))
    events.append(CommitmentRaised(**ids, commitment_id=_uuid(rng), supplier="Synthetic supplier",
                                   category=BudgetCategory.EXTERNAL_SERVICES,
                                   funding_source=FundingSource.DSG_ALLOCATION, amount_pence=500_00,
                                   raised_on=first + timedelta(days=200), evidence_reference="PO-1"))
    return events


def synthetic_finance_events(size: LaSize) -> list[FinanceEvent]:
    """Every budget's events in the order they were recorded (budget by budget)."""
    rng = random.Random(size.seed + 2)  # noqa: S311  # nosec B311 - synthetic data, repeatable by its seed
    hosts = {p: size.school_ids()[n] for n, p in enumerate(size.partnerships())}
    partnership_of = {provision_of(p): p for p in size.partnerships()}
    events: list[FinanceEvent] = []
    for budget in budgets(size):
        partnership = partnership_of[budget.provision_id]
        events += _budget_events(rng, budget, hosts[partnership], partnership)
    return events
