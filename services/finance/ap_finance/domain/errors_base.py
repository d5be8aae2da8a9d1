"""The base of every finance refusal: a stable rule id and a kind of refusal (moved from ``errors.py``)."""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import RefusalKind


class FinanceRuleViolation(Exception):
    """Base of every finance refusal: its rule id and its kind; the edge maps the kind to a status."""

    rule_id: ClassVar[str]
    kind: ClassVar[RefusalKind]

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.rule_id}: {message}")
        self.message = message
