"""What a finance officer browses in one budget, folded from its event stream (issue 12, "nothing to browse").

Pure: the events of one budget in, its lines (budget as set, virements in and out, revised, committed,
spent, remaining), commitments, spends, items awaiting signatures (given and awaited: whose), virements and
overspends out. Read from the stream rather than a projection, so a signatory sees an item the moment it
is recorded. Holds no pupil data (finance events carry none).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from uuid import UUID

from ap_contracts.envelope import StrictModel
from ap_contracts.events import finance as fe
from ap_finance.domain.evolve import evolve
from ap_finance.domain.state import BudgetState


class Signatory(StrictModel):
    """A signature given (``user_id`` set) or awaited (``user_id`` None) for one organisation of the budget."""

    signing_organisation: fe.SigningOrganisation
    organisation_id: str
    user_id: str | None = None


class LineRow(StrictModel):
    category: fe.BudgetCategory
    funding_source: fe.FundingSource
    budget_pence: int
    virements_in_pence: int
    virements_out_pence: int
    revised_pence: int
    committed_pence: int
    spent_pence: int
    remaining_pence: int
    overspend_approved_pence: int


class ItemRow(StrictModel):
    """A spend or commitment over the threshold, waiting for signatures."""

    item_id: UUID
    item_kind: fe.ItemKind
    supplier: str
    evidence_reference: str
    category: fe.BudgetCategory
    funding_source: fe.FundingSource
    amount_pence: int
    item_date: date
    split_purchase_total_pence: int | None
    signatures_given: list[Signatory]
    signatures_awaited: list[Signatory]


class CommitmentRow(StrictModel):
    commitment_id: UUID
    state: Literal["awaiting_signatures", "open", "settled_or_released"]
    supplier: str
    evidence_reference: str
    category: fe.BudgetCategory
    funding_source: fe.FundingSource
    amount_pence: int
    outstanding_pence: int
    raised_on: date
    signatures_given: list[Signatory]
    signatures_awaited: list[Signatory]


class SpendRow(StrictModel):
    spend_id: UUID
    state: Literal["awaiting_signatures", "recorded"]
    supplier: str
    evidence_reference: str
    category: fe.BudgetCategory
    funding_source: fe.FundingSource
    amount_pence: int
    spent_on: date
    commitment_id: UUID | None
    signatures_given: list[Signatory]
    signatures_awaited: list[Signatory]


class VirementRow(StrictModel):
    virement_id: UUID
    state: Literal["awaiting_approval", "made"]
    from_category: fe.BudgetCategory
    to_category: fe.BudgetCategory
    funding_source: fe.FundingSource
    amount_pence: int
    reason: str
    requested_by: str | None
    approved_by: str | None


class OverspendRow(StrictModel):
    overspend_id: UUID
    state: Literal["awaiting_approval", "approved"]
    category: fe.BudgetCategory
    funding_source: fe.FundingSource
    amount_pence: int
    reason: str
    requested_by: str
    approved_by: str | None


class BudgetSummary(StrictModel):
    provision_id: str
    financial_year: str
    budget_id: UUID
    host_school_id: str
    partnership_id: str
    signature_threshold_pence: int
    closed: bool
    funding_pence: dict[str, int]
    stream_version: int


@dataclass(slots=True)
class BudgetBook:
    """Everything browsable in one budget, in recorded order."""

    state: BudgetState = field(default_factory=BudgetState)
    virements_in: dict[tuple[fe.BudgetCategory, fe.FundingSource], int] = field(default_factory=dict)
    virements_out: dict[tuple[fe.BudgetCategory, fe.FundingSource], int] = field(default_factory=dict)
    items: dict[UUID, fe.ItemSignaturesRequested] = field(default_factory=dict)
    signatures: dict[UUID, list[fe.ItemSignatureAdded]] = field(default_factory=dict)
    commitments: dict[UUID, fe.CommitmentRaised] = field(default_factory=dict)
    spends: dict[UUID, fe.SpendRecorded] = field(default_factory=dict)
    virements: dict[UUID, VirementRow] = field(default_factory=dict)
    overspends: dict[UUID, OverspendRow] = field(default_factory=dict)
    allocations: dict[UUID, fe.SurplusAllocated] = field(default_factory=dict)

    def add(self, event: fe.FinanceEvent) -> None:
        self.state = evolve(self.state, event)
        match event:
            case fe.ItemSignaturesRequested():
                self.items[event.item_id] = event
            case fe.ItemSignatureAdded():
                self.signatures.setdefault(event.item_id, []).append(event)
            case fe.CommitmentRaised():
                self.commitments[event.commitment_id] = event
            case fe.SpendRecorded():
                self.spends[event.spend_id] = event
            case fe.VirementRequested() | fe.VirementMade() | fe.VirementApproved():
                self._virement(event)
            case fe.OverspendRequested() | fe.OverspendApproved():
                self._overspend(event)
            case fe.SurplusAllocated():
                self.allocations[event.allocation_id] = event

    def _virement(self, event: fe.VirementRequested | fe.VirementMade | fe.VirementApproved) -> None:
        if isinstance(event, fe.VirementApproved):
            return  # the VirementMade that follows carries the approver
        earlier = self.virements.get(event.virement_id)
        made = isinstance(event, fe.VirementMade)
        self.virements[event.virement_id] = VirementRow(
            virement_id=event.virement_id, state="made" if made else "awaiting_approval",
            from_category=event.from_category, to_category=event.to_category, funding_source=event.funding_source,
            amount_pence=event.amount_pence, reason=event.reason,
            requested_by=event.requested_by if isinstance(event, fe.VirementRequested)
            else (earlier.requested_by if earlier else None),
            approved_by=event.approved_by if isinstance(event, fe.VirementMade) else None,
        )
        if made:
            source = (event.from_category, event.funding_source)
            target = (event.to_category, event.funding_source)
            self.virements_out[source] = self.virements_out.get(source, 0) + event.amount_pence
            self.virements_in[target] = self.virements_in.get(target, 0) + event.amount_pence

    def _overspend(self, event: fe.OverspendRequested | fe.OverspendApproved) -> None:
        if isinstance(event, fe.OverspendRequested):
            self.overspends[event.overspend_id] = OverspendRow(
                overspend_id=event.overspend_id, state="awaiting_approval", category=event.category,
                funding_source=event.funding_source, amount_pence=event.amount_pence, reason=event.reason,
                requested_by=event.requested_by, approved_by=None)
            return
        asked = self.overspends[event.overspend_id]
        self.overspends[event.overspend_id] = asked.model_copy(
            update={"state": "approved", "approved_by": event.approved_by})


def budget_book(events: Iterable[fe.FinanceEvent]) -> BudgetBook:
    book = BudgetBook()
    for event in events:
        book.add(event)
    return book


def _organisation_id(budget: fe.BudgetSet, organisation: fe.SigningOrganisation) -> str:
    return budget.partnership_id if organisation is fe.SigningOrganisation.PARTNERSHIP else budget.host_school_id


def signatories(book: BudgetBook, item_id: UUID,
                signer_user_ids: tuple[str, ...] = ()) -> tuple[list[Signatory], list[Signatory]]:
    """The signatures an item was given and those it still awaits (none awaited once it is recorded)."""
    budget = book.state.budget
    assert budget is not None  # a budget's items exist only after its BudgetSet
    given = [Signatory(signing_organisation=s.signing_organisation, organisation_id=s.signer_organisation_id,
                       user_id=s.signer_user_id) for s in book.signatures.get(item_id, [])]
    if item_id not in book.state.pending:
        return given, []
    signed = {s.signing_organisation for s in given}
    awaited = [Signatory(signing_organisation=o, organisation_id=_organisation_id(budget, o))
               for o in fe.SigningOrganisation if o not in signed]
    return given, awaited


def summary(book: BudgetBook) -> BudgetSummary:
    budget = book.state.budget
    assert budget is not None
    return BudgetSummary(
        provision_id=budget.provision_id, financial_year=budget.financial_year, budget_id=budget.budget_id,
        host_school_id=budget.host_school_id, partnership_id=budget.partnership_id,
        signature_threshold_pence=book.state.signature_threshold_pence(), closed=book.state.closed,
        funding_pence={source.value: book.state.funding_pence(source) for source in fe.FundingSource},
        stream_version=book.state.version,
    )


def lines(book: BudgetBook) -> list[LineRow]:
    state = book.state
    cells = sorted(set(state.line_budget_pence) | set(state.actual_pence)
                   | {c.cell for c in state.commitments.values()}, key=lambda cell: (cell[1].value, cell[0].value))
    rows = []
    for cell in cells:
        revised = state.line_budget_pence.get(cell, 0)
        moved_in, moved_out = book.virements_in.get(cell, 0), book.virements_out.get(cell, 0)
        rows.append(LineRow(
            category=cell[0], funding_source=cell[1], budget_pence=revised - moved_in + moved_out,
            virements_in_pence=moved_in, virements_out_pence=moved_out, revised_pence=revised,
            committed_pence=state.committed_pence(cell), spent_pence=state.actual_pence.get(cell, 0),
            remaining_pence=state.remaining_pence(cell), overspend_approved_pence=state.overspend_allowed_pence(cell),
        ))
    return rows


def _purchase(recorded: fe.ItemSignaturesRequested | fe.CommitmentRaised | fe.SpendRecorded) -> dict[str, Any]:
    """What every item, commitment and spend row shows of the purchase: supplier, reference, line and amount."""
    return {"supplier": recorded.supplier, "evidence_reference": recorded.evidence_reference,
            "category": recorded.category, "funding_source": recorded.funding_source,
            "amount_pence": recorded.amount_pence}


def _awaiting(book: BudgetBook, kind: fe.ItemKind) -> Iterator[tuple[fe.ItemSignaturesRequested, dict[str, Any]]]:
    """The spend or commitments still awaiting signatures, each with what its row shows while it waits."""
    for item in book.items.values():
        if item.item_kind is kind and item.item_id in book.state.pending:
            given, awaited = signatories(book, item.item_id)
            yield item, {**_purchase(item), "state": "awaiting_signatures", "signatures_given": given,
                         "signatures_awaited": awaited}


def awaiting_items(book: BudgetBook) -> list[ItemRow]:
    rows = []
    for item_id in book.state.pending:
        item = book.items[item_id]
        given, awaited = signatories(book, item_id)
        rows.append(ItemRow(
            **_purchase(item), item_id=item_id, item_kind=item.item_kind, item_date=item.item_date,
            split_purchase_total_pence=item.split_purchase_total_pence, signatures_given=given,
            signatures_awaited=awaited,
        ))
    return rows


def commitment_rows(book: BudgetBook) -> list[CommitmentRow]:
    rows = [CommitmentRow(**waiting, commitment_id=item.item_id, outstanding_pence=0, raised_on=item.item_date)
            for item, waiting in _awaiting(book, fe.ItemKind.COMMITMENT)]
    for raised in book.commitments.values():
        outstanding = book.state.commitments[raised.commitment_id].outstanding_pence
        given, _ = signatories(book, raised.commitment_id)
        rows.append(CommitmentRow(
            **_purchase(raised), commitment_id=raised.commitment_id,
            state="open" if outstanding else "settled_or_released", outstanding_pence=outstanding,
            raised_on=raised.raised_on, signatures_given=given, signatures_awaited=[]))
    return rows


def virement_rows(book: BudgetBook) -> list[VirementRow]:
    return list(book.virements.values())


def overspend_rows(book: BudgetBook) -> list[OverspendRow]:
    return list(book.overspends.values())


def spend_rows(book: BudgetBook) -> list[SpendRow]:
    rows = [SpendRow(**waiting, spend_id=item.item_id, spent_on=item.item_date, commitment_id=None)
            for item, waiting in _awaiting(book, fe.ItemKind.SPEND)]
    for spent in book.spends.values():
        given, _ = signatories(book, spent.spend_id)
        rows.append(SpendRow(
            **_purchase(spent), spend_id=spent.spend_id, state="recorded", spent_on=spent.spent_on,
            commitment_id=spent.commitment_id, signatures_given=given, signatures_awaited=[]))
    return rows
