"""The finance contracts' vocabulary: the financial year, amounts, reasons, the enumerations, and
``FinanceEvent``, the base of every finance event (one stream per budget: provision and financial year).

Money is integer pence and every amount field ends in ``_pence``. Finance events carry no pupil
data: they name organisations, staff user ids and suppliers only, so ``pii_subject_field`` stays None
and nothing is encrypted. Free-text fields (reasons, references) must never name a pupil. The events
themselves are in ``events/finance.py`` (the budget through the year) and ``events/finance_year_end.py``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AfterValidator, Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.identifiers import OrganisationId as OrganisationId  # re-exported: finance imports it from here
from ap_contracts.money import Pence
from ap_contracts.topics import FINANCE_EVENTS


def _check_financial_year(value: str) -> str:
    start, end = value.split("-")
    if (int(start) + 1) % 100 != int(end):
        raise ValueError(f"financial year {value!r} must span two consecutive years, e.g. '2026-27'")
    return value


FinancialYear = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}$", description="English financial year, 1 April to 31 March, e.g. '2026-27'"),
    AfterValidator(_check_financial_year),
]
UserId = Annotated[str, Field(min_length=1, max_length=200)]
SupplierName = Annotated[str, Field(min_length=1, max_length=200)]
EvidenceReference = Annotated[str, Field(min_length=1, max_length=200, description="Invoice, order or receipt number")]
Reason = Annotated[str, Field(min_length=1, max_length=1000, description="Must not name a pupil")]
PositivePence = Annotated[Pence, Field(gt=0)]
Ratio = Annotated[
    Decimal,
    Field(ge=0, max_digits=24, decimal_places=8, allow_inf_nan=False, description="Exact decimal, never float"),
]


class FundingSource(StrEnum):
    DSG_ALLOCATION = "dsg_allocation"
    TOP_UP = "top_up"
    CARRY_FORWARD = "carry_forward"


class BudgetCategory(StrEnum):
    STAFFING = "staffing"
    RESOURCES = "resources"
    TRAINING_CPD = "training_cpd"
    PREMISES = "premises"
    TRANSPORT = "transport"
    EXTERNAL_SERVICES = "external_services"
    CONTINGENCY = "contingency"
    OTHER = "other"


class SigningOrganisation(StrEnum):
    """The two bodies whose signatures an item over the threshold needs (seed 001, section 5)."""

    PARTNERSHIP = "partnership"
    HOST_SCHOOL = "host_school"


class ItemKind(StrEnum):
    SPEND = "spend"
    COMMITMENT = "commitment"


class CommitmentReleaseReason(StrEnum):
    CANCELLED = "cancelled"
    NO_LONGER_REQUIRED = "no_longer_required"
    SETTLED_FOR_LESS = "settled_for_less"


class AllocationMethod(StrEnum):
    """Surplus distribution approaches of seed 001, section 3."""

    NEEDS_BASED = "needs_based"
    EQUITY_BASED = "equity_based"
    STRATEGIC_PLAN = "strategic_plan"
    COMBINATION = "combination"


class RoundingRule(StrEnum):
    """Largest remainder (Hamilton): floors first, spare pence to the largest remainders, ties by school id."""

    LARGEST_REMAINDER_THEN_SCHOOL_ID = "largest_remainder_then_school_id"


class NormalisationRule(StrEnum):
    """Each needs input is divided by its total across the listed schools before weighting."""

    SHARE_OF_TOTAL_ACROSS_SCHOOLS = "share_of_total_across_schools"


class FinanceEvent(DomainEvent):
    """Every finance event names the budget it belongs to."""

    topic: ClassVar[str] = FINANCE_EVENTS
    pii_subject_field: ClassVar[str | None] = None

    budget_id: UUID
    provision_id: OrganisationId
    financial_year: FinancialYear

