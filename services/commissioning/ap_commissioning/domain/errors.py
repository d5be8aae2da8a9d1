"""The base of every commissioning refusal: a stable rule id (``<area>.<rule>``, lower case) and a kind.

Rule served (issue 10, "one error format"): a refusal names its rule and its kind of refusal; the edge maps
the kind to a status (``ap_runtime.http.problems``). Each area keeps its refusals in its own module
(``sla_errors.py``, ...), each class named after the rule it protects, declared on the shared template
(``ap_runtime.refusal.Refusal``: its rule id, kind, sentence and facts).
"""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import Refusal, RefusalKind


class CommissioningRefused(Refusal):
    """Base of every commissioning refusal: its rule id, its kind and what is wrong, in words."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD
