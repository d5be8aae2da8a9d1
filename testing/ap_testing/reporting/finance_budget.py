"""A partnership's budget for a financial year as finance records it, for the reporting tests of the annual
report's Budget Summary: set, given to lines, a virement between lines, spend, and a commitment part settled.

What each line then holds (finance's ledger: budget = actual + committed + remaining), in pence:
Staffing 61,000.00 budget (60,000 set + 1,000 virement), 2,000.00 spent, nothing committed;
Resources 7,000.00 budget, 100.00 spent against a 300.00 commitment (200.00 still committed).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from ap_contracts.events.finance import (
    BudgetCategory,
    BudgetLineSet,
    BudgetSet,
    CommitmentRaised,
    FinanceEvent,
    FundingSource,
    SpendRecorded,
    VirementMade,
)

DSG = FundingSource.DSG_ALLOCATION


def spend(ids: dict[str, object], category: BudgetCategory, pence: int, commitment_id: UUID | None = None,
          ) -> SpendRecorded:
    return SpendRecorded.model_validate({**ids, "spend_id": uuid4(), "supplier": "Supplier Ltd",
                                         "category": category, "funding_source": DSG, "amount_pence": pence,
                                         "spent_on": date(2024, 6, 3), "evidence_reference": "INV-1",
                                         "commitment_id": commitment_id})


def budget_ids(partnership_id: str, financial_year: str = "2024-25") -> dict[str, object]:
    return {"budget_id": uuid4(), "provision_id": f"prov-{partnership_id}", "financial_year": financial_year}


def partnership_budget(partnership_id: str, financial_year: str = "2024-25") -> list[FinanceEvent]:
    """The budget of the partnership's provision (``prov-<partnership>``) as the module docstring describes."""
    ids = budget_ids(partnership_id, financial_year)
    commitment = uuid4()
    return [
        BudgetSet.model_validate({**ids, "host_school_id": f"host-{partnership_id}", "partnership_id": partnership_id,
                                  "dsg_allocation_pence": 68_000_00, "top_up_pence": 0, "carry_forward_pence": 0,
                                  "signature_threshold_pence": 30_000_00}),
        *(BudgetLineSet.model_validate({**ids, "category": c, "funding_source": DSG, "amount_pence": p})
          for c, p in ((BudgetCategory.STAFFING, 60_000_00), (BudgetCategory.RESOURCES, 8_000_00))),
        VirementMade.model_validate({**ids, "virement_id": uuid4(), "from_category": BudgetCategory.RESOURCES,
                                     "to_category": BudgetCategory.STAFFING, "funding_source": DSG,
                                     "amount_pence": 1_000_00, "reason": "Extra teaching assistant hours"}),
        spend(ids, BudgetCategory.STAFFING, 2_000_00),
        CommitmentRaised.model_validate({**ids, "commitment_id": commitment, "supplier": "Supplier Ltd",
                                         "category": BudgetCategory.RESOURCES, "funding_source": DSG,
                                         "amount_pence": 300_00, "raised_on": date(2024, 5, 1),
                                         "evidence_reference": "PO-1"}),
        spend(ids, BudgetCategory.RESOURCES, 100_00, commitment),
    ]
