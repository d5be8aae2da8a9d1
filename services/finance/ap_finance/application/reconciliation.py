"""Proving the ledger on demand: the domain's ``reconcile`` on the entries, the stored balances against
the entries, and the balances against the domain's fold of the event stream itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ap_contracts.events.finance import FundingSource
from ap_finance.application.views import DifferenceView
from ap_finance.domain.ledger import (
    Balance,
    LedgerEntry,
    LineKey,
    SurplusPosition,
    balances_by_line,
    reconcile,
    surplus_positions,
)
from ap_finance.domain.state import BudgetState

BALANCES_MATCH_ENTRIES = "balances_table_matches_entries"
SURPLUS_MATCHES_ENTRIES = "surplus_table_matches_entries"
LEDGER_MATCHES_STREAM = "ledger_matches_event_stream"
_FIELDS = ("budget_pence", "actual_pence", "committed_pence", "remaining_pence")


def _label(key: LineKey) -> str:
    provision, year, category, source = key
    return f"{provision} {year} {'unallocated' if category is None else category.value} {source.value}"


def _compare_lines(check: str, expected: Mapping[LineKey, Balance], found: Mapping[LineKey, Balance]
                   ) -> list[DifferenceView]:
    differences: list[DifferenceView] = []
    for key in sorted(expected.keys() | found.keys(), key=_label):
        want, got = expected.get(key, Balance()), found.get(key, Balance())
        for name in _FIELDS:
            if getattr(want, name) != getattr(got, name):
                differences.append(DifferenceView(check=check, scope=f"{_label(key)} {name}",
                                                  expected_pence=getattr(want, name), found_pence=getattr(got, name)))
    return differences


def _compare_surplus(check: str, scope: str, want: SurplusPosition | None, got: SurplusPosition | None
                     ) -> list[DifferenceView]:
    want, got = want or SurplusPosition(), got or SurplusPosition()
    return [
        DifferenceView(check=check, scope=f"{scope} {name}", expected_pence=getattr(want, name),
                       found_pence=getattr(got, name))
        for name in ("surplus_pence", "available_pence", "allocated_pence", "clawed_back_pence",
                     "carried_forward_pence")
        if getattr(want, name) != getattr(got, name)
    ]


def entry_differences(entries: Iterable[LedgerEntry], lines: Mapping[LineKey, Balance],
                      surplus: SurplusPosition | None, provision_id: str, year: str) -> list[DifferenceView]:
    """The domain's reconciliation of the entries, then the stored balance tables against the entries."""
    listed = list(entries)
    report = reconcile(listed)
    found = [DifferenceView(check=d.check.value, scope=d.scope, expected_pence=d.expected_pence,
                            found_pence=d.found_pence) for d in report.differences]
    found += _compare_lines(BALANCES_MATCH_ENTRIES, balances_by_line(listed), lines)
    found += _compare_surplus(SURPLUS_MATCHES_ENTRIES, f"{provision_id} {year}",
                              surplus_positions(listed).get((provision_id, year)), surplus)
    return found


def _lines_of(state: BudgetState, provision_id: str, year: str) -> dict[LineKey, Balance]:
    """The state's lines in ledger shape; funding not yet given to a line sits on category None."""
    lines: dict[LineKey, Balance] = {}
    cells = set(state.line_budget_pence) | set(state.actual_pence) | {c.cell for c in state.commitments.values()}
    for category, source in cells:
        lines[(provision_id, year, category, source)] = Balance(
            state.line_budget_pence.get((category, source), 0), state.actual_pence.get((category, source), 0),
            state.committed_pence((category, source)), state.remaining_pence((category, source)),
        )
    for source in FundingSource:
        unallocated = state.funding_pence(source) - state.lines_total_pence(source)
        if state.funding_pence(source) or unallocated:
            lines[(provision_id, year, None, source)] = Balance(unallocated, 0, 0, unallocated)
    return lines


def stream_differences(state: BudgetState, lines: Mapping[LineKey, Balance], surplus: SurplusPosition | None,
                       provision_id: str, year: str) -> list[DifferenceView]:
    """The ledger's balances against the domain's own state of the same events."""
    expected = _lines_of(state, provision_id, year)
    nonzero = {key: balance for key, balance in lines.items() if balance != Balance() or key in expected}
    found = _compare_lines(LEDGER_MATCHES_STREAM, expected, nonzero)
    if state.surplus_pence is not None:
        left = state.surplus_pence - state.disposed_pence
        got = surplus or SurplusPosition()
        for name, want, have in (("surplus_pence", state.surplus_pence, got.surplus_pence),
                                 ("available_pence", left, got.available_pence),
                                 ("used_pence", state.disposed_pence, got.used_pence())):
            if want != have:
                found.append(DifferenceView(check=LEDGER_MATCHES_STREAM, scope=f"{provision_id} {year} {name}",
                                            expected_pence=want, found_pence=have))
    return found
