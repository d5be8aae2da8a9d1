"""Which access action each finance request needs (its declaration's), and the resource it is checked against.

The resource of every finance action is a budget: owned by its host school (``organisation_id``),
serving its Partnership (``partnership_id``) and its provision (``provision_id``), so the policy
can grant host-school, Partnership and provision staff their own budgets only (policy.yaml FIN-*).
"""

from __future__ import annotations

from ap_contracts.events.finance import BudgetSet
from ap_finance.domain.commands import FinanceRequest
from ap_finance.domain.declarations import DECLARATION_BY_REQUEST
from ap_runtime.access import Authoriser, ResourceContext

__all__ = ["Authoriser", "FinanceRequest", "action_for", "budget_context", "request_context"]


def action_for(request_type: type[FinanceRequest]) -> str:
    """The access action a request needs, as its declaration names it (``domain/declarations.py``)."""
    return DECLARATION_BY_REQUEST[request_type].action


def budget_context(provision_id: str, budget: BudgetSet | None) -> ResourceContext:
    """The budget as an access resource; only its provision is known before it is set."""
    if budget is None:
        return ResourceContext(provision_id=provision_id)
    return ResourceContext(
        provision_id=budget.provision_id,
        organisation_id=budget.host_school_id,
        partnership_id=budget.partnership_id,
    )


def request_context(request: FinanceRequest, budget: BudgetSet | None) -> ResourceContext:
    """Every request is judged against the stored BudgetSet; before one exists, against the provision
    alone. The host school and partnership a ``SetBudget`` names are not used: authorisation rests on
    stored facts and the verified token, never on organisations the request itself names (issue 9)."""
    return budget_context(request.provision_id, budget)
