"""Every finance command declared once: what the caller sends, the domain command, its decider, the access
action, the events it may emit, its route and summary.

Rule served: "a command is declared once and the rest is derived" (issue 10, STYLE.md). ``decide``
(``domain/decide.py``) routes by ``DECLARATION_BY_COMMAND``; the HTTP routes
(``entrypoints/command_routes.py``) and the access lookup (``application/authorisation.py: action_for``)
are built from ``DECLARATIONS``; ``evolve`` keeps one step per event. Actions are ids of the access
policy's vocabulary (``policy.yaml``, ``actions:``): the bootstrap checks ``FINANCE_ACTIONS`` against the
loaded policy, and ``services/finance/tests/test_finance_declarations.py`` checks nothing is declared
half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ap_contracts.events import finance as fe
from ap_finance.domain import commands as c
from ap_finance.domain.approvals import (
    agree_signature_threshold,
    approve_overspend,
    approve_virement,
    request_overspend,
)
from ap_finance.domain.budgeting import close_year, make_virement, set_budget, set_budget_line
from ap_finance.domain.signatures import add_item_signature
from ap_finance.domain.spending import raise_commitment, record_spend, release_commitment
from ap_finance.domain.state import BudgetState
from ap_finance.domain.year_end import allocate_surplus, make_clawback, record_carry_forward

Decider = Callable[[Any, BudgetState], list[fe.FinanceEvent]]


@dataclass(frozen=True, slots=True)
class FinanceCommandDeclaration:
    """One command. ``request`` is the body the caller sends (the route's model); ``command`` is what the
    decider takes, the same class unless the token supplies identity fields (``TokenIdentityRequest``).
    ``path`` is below ``/v1/budgets/{provision_id}/{financial_year}``."""

    request: type[c.FinanceRequest]
    command: type[c.Command]
    decider: Decider
    action: str
    emits: tuple[type[fe.FinanceEvent], ...]
    path: str
    summary: str


D = FinanceCommandDeclaration
# A spend or commitment over the budget's threshold waits for two signatures; the second signature
# records it (seed 001, section 5).
SIGNED_OR_RECORDED_SPEND = (fe.SpendRecorded, fe.ItemSignaturesRequested)
SIGNED_OR_RAISED_COMMITMENT = (fe.CommitmentRaised, fe.LineOverrunWarned, fe.ItemSignaturesRequested)

DECLARATIONS: tuple[FinanceCommandDeclaration, ...] = (
    D(c.SetBudget, c.SetBudget, set_budget, "finance.set_budget", (fe.BudgetSet,),
      "/budget", "Set the year's budget and its funding sources"),
    # Budget lines are part of setting the budget (the LA finance team's act, policy FIN-LA-1).
    D(c.SetBudgetLine, c.SetBudgetLine, set_budget_line, "finance.set_budget", (fe.BudgetLineSet,),
      "/lines", "Set the budget of one category from one funding source"),
    D(c.RecordSpend, c.RecordSpend, record_spend, "finance.record_spend", SIGNED_OR_RECORDED_SPEND,
      "/spend", "Record spend (over the threshold it waits for two signatures)"),
    D(c.RaiseCommitment, c.RaiseCommitment, raise_commitment, "finance.raise_commitment",
      SIGNED_OR_RAISED_COMMITMENT, "/commitments", "Raise a commitment (over the threshold: two signatures)"),
    D(c.ReleaseCommitment, c.ReleaseCommitment, release_commitment, "finance.release_commitment",
      (fe.CommitmentReleased,), "/commitments/{commitment_id}/release", "Release part or all of a commitment"),
    D(c.SignItem, c.AddItemSignature, add_item_signature, "finance.sign_item",
      (fe.ItemSignatureAdded, fe.SpendRecorded, fe.CommitmentRaised, fe.LineOverrunWarned),
      "/items/{item_id}/signatures", "Sign an item awaiting signatures, as the caller"),
    D(c.RequestVirement, c.MakeVirement, make_virement, "finance.record_virement",
      (fe.VirementMade, fe.VirementRequested), "/virements",
      "Move budget between two categories of one funding source (leaving a line short: requested, for approval)"),
    D(c.ApproveVirement, c.RecordVirementApproval, approve_virement, "finance.approve_virement",
      (fe.VirementApproved, fe.VirementMade), "/virements/{virement_id}/approval",
      "Approve a requested virement, as the caller (not its requester)"),
    D(c.RequestOverspend, c.RecordOverspendRequest, request_overspend, "finance.record_spend",
      (fe.OverspendRequested,), "/overspends", "Ask the budget holder to allow spend beyond what is left on a line"),
    D(c.ApproveOverspend, c.RecordOverspendApproval, approve_overspend, "finance.approve_overspend",
      (fe.OverspendApproved,), "/overspends/{overspend_id}/approval",
      "Approve a requested overspend, as the budget holder (not its requester)"),
    D(c.AgreeSignatureThreshold, c.RecordThresholdAgreement, agree_signature_threshold,
      "finance.agree_signature_threshold", (fe.SignatureThresholdAgreed, fe.SignatureThresholdChanged),
      "/signature-threshold", "Agree a signature threshold for the caller's organisation (both must agree)"),
    D(c.CloseYear, c.CloseYear, close_year, "finance.close_year", (fe.YearClosed, fe.SurplusDetermined),
      "/close", "Close the financial year and determine its surplus or deficit"),
    D(c.AllocateSurplus, c.AllocateSurplus, allocate_surplus, "finance.allocate_surplus", (fe.SurplusAllocated,),
      "/surplus/allocations", "Share the surplus between Partnership schools"),
    D(c.ClawBack, c.MakeClawback, make_clawback, "finance.claw_back_surplus", (fe.ClawbackMade,),
      "/surplus/clawbacks", "Claw back surplus, as the calling LA officer"),
    D(c.RecordCarryForward, c.RecordCarryForward, record_carry_forward, "finance.carry_forward",
      (fe.CarryForwardRecorded,), "/surplus/carry-forward", "Carry surplus into the next financial year"),
)

DECLARATION_BY_COMMAND: MappingProxyType[type[c.Command], FinanceCommandDeclaration] = MappingProxyType(
    {d.command: d for d in DECLARATIONS})
DECLARATION_BY_REQUEST: MappingProxyType[type[c.FinanceRequest], FinanceCommandDeclaration] = MappingProxyType(
    {d.request: d for d in DECLARATIONS})

READ_LEDGER = "finance.read_ledger"
READ_REPORTS = "finance.read_reports"
READ_ACTIONS = frozenset({READ_LEDGER, READ_REPORTS})
"""The reads finance serves (``application/queries.py``); they change nothing, so declare no command."""

PUBLISH_REPORTS = "finance.publish_reports"
"""Publishing a report records ``ReportPublished`` (``application/publications.py``, issue 15)."""

FINANCE_ACTIONS = frozenset({d.action for d in DECLARATIONS}) | READ_ACTIONS | {PUBLISH_REPORTS}
"""Every action id finance asks the access policy about; checked against the policy at start-up."""
