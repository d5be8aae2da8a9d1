"""The base of every finance refusal: the shared refusal template (``ap_runtime.refusal.Refusal``).

Rule served: a refusal names its rule (a stable ``rule_id``), its kind of refusal (the edge maps the
kind to a status) and says in words what is wrong, with the facts that make it wrong (issue 10, "one
error format"; issue 12, rule ids). Finance names its own base so its routes can list finance's refusals.
"""

from __future__ import annotations

from ap_runtime.refusal import Refusal


class FinanceRuleViolation(Refusal):
    """Base of every finance refusal: its rule id, its kind and its sentence filled with its facts."""
