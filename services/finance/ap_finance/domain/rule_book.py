"""The finance rule book: the versioned budget-control and signature rules every decider applies.

Issue 12; seed 001 section 5 ("spend on individual items over £30k need to have signatures from both the
Neighbourhood Partnership and the host school"). A change to any value here is a new ``VERSION``; the
version is recorded on the events it shaped (``OverspendRequested``, ``LineOverrunWarned``) and
named in the refusals, so a decision can be read against the rules in force when it was made.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

BUDGET_CONTROL_VERSION: Final = "budget-control-1"
"""budget-control-1: a spend larger than what is left on its line (budget - actual - committed) is refused
unless a virement first covers it or the budget holder approved an overspend of the line (its own step, by
a person other than the requester, with a reason); a commitment that takes its line past its budget is
accepted and a warning is recorded with it. Split purchases: see ``SPLIT_PURCHASE_WINDOW``."""

SEED_SIGNATURE_THRESHOLD_PENCE: Final = 3_000_000
"""Items over £30,000 need the Partnership's and the host school's signatures. A budget starts with this
threshold; another is in force only once both organisations have agreed the same figure (recorded)."""

SPLIT_PURCHASE_WINDOW: Final = timedelta(days=30)
"""Purchases from one supplier are one purchase for the threshold when they carry the same evidence
reference (any date in the year), or when they are dated within 30 days of each other; their total, not
each part, is compared with the threshold."""
