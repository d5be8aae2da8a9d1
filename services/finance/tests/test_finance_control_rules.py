"""Issue 12, the decider: overspends approved in their own step, commitments past a line warned, the £30,000
rule that cannot be stepped around (split purchases, a threshold only both organisations agree), and refusals
that say what is already recorded or awaited. Given past events, when a command arrives, then these events or
a refusal naming its rule. Unit level: no server.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.finance import (
    BudgetCategory,
    ItemSignaturesRequested,
    LineOverrunWarned,
    OverspendApproved,
    OverspendRequested,
    SignatureThresholdAgreed,
    SignatureThresholdChanged,
    SigningOrganisation,
    SpendRecorded,
)
from ap_finance.domain import errors
from ap_finance.domain.commands import (
    RecordOverspendApproval,
    RecordOverspendRequest,
    RecordThresholdAgreement,
    SetBudget,
)
from ap_finance.domain.decide import decide_on_history
from ap_finance.domain.evolve import fold

from .test_finance_rules import (
    DSG,
    HOST,
    PARTNERSHIP,
    SCOPE,
    STAFFING,
    THRESHOLD,
    addressed,
    awaiting,
    commit,
    committed,
    opened,
    rejected,
    sign,
    signed,
    spend,
    spent,
)


def ask_overspend(amount: int, requester: str = "host-1") -> RecordOverspendRequest:
    return RecordOverspendRequest(**addressed(), overspend_id=uuid4(), category=STAFFING, funding_source=DSG,
                                  amount_pence=amount, reason="Agency cover for long-term absence",
                                  requested_by=requester)


def approve_overspend(request: RecordOverspendRequest, approver: str) -> RecordOverspendApproval:
    return RecordOverspendApproval(**addressed(), overspend_id=request.overspend_id, approver_user_id=approver,
                                   approver_organisation_id=HOST)


def agree(threshold: int, organisation: SigningOrganisation, user: str = "") -> RecordThresholdAgreement:
    org_id = PARTNERSHIP if organisation is SigningOrganisation.PARTNERSHIP else HOST
    return RecordThresholdAgreement(**addressed(), threshold_pence=threshold, agreed_by=user or f"{org_id}-lead",
                                    organisation_id=org_id, signing_organisation=organisation)


class TestOverspend:
    def test_an_approved_overspend_lets_spend_past_the_line_by_that_much_and_no_more(self) -> None:
        history = [*opened(), spent(spend(6_000_000))]
        later = {"spent_on": date(2026, 10, 1), "evidence_reference": "INV-9"}
        rejected(history, spend(250_000, **later), errors.SpendExceedsLineRemaining)
        request = ask_overspend(250_000)
        [asked] = decide_on_history(history, request)
        assert isinstance(asked, OverspendRequested)
        assert (asked.requested_by, asked.reason, asked.budget_control_version) == (
            "host-1", "Agency cover for long-term absence", "budget-control-1")
        history.append(asked)
        rejected(history, spend(250_000, **later), errors.SpendExceedsLineRemaining)  # asked is not approved
        [approved] = decide_on_history(history, approve_overspend(request, "host-head"))
        assert approved == OverspendApproved(**SCOPE, overspend_id=request.overspend_id, category=STAFFING,
                                             funding_source=DSG, amount_pence=250_000, approved_by="host-head",
                                             approver_organisation_id=HOST)
        history.append(approved)
        rejected(history, spend(250_001, **later), errors.SpendExceedsLineRemaining)
        assert decide_on_history(history, last := spend(250_000, **later)) == [spent(last)]

    def test_the_requester_cannot_approve_their_own_overspend(self) -> None:
        request = ask_overspend(1_000)
        history = opened() + decide_on_history(opened(), request)
        rejected(history, approve_overspend(request, "host-1"), errors.OverspendApprovedByRequester)

    def test_only_a_requested_overspend_can_be_approved(self) -> None:
        rejected(opened(), approve_overspend(ask_overspend(1_000), "host-head"), errors.OverspendNotAwaitingApproval)

    def test_budget_control_applies_again_when_the_second_signature_records_a_spend(self) -> None:
        big = spend(THRESHOLD + 1, spent_on=date(2026, 5, 1), evidence_reference="INV-B")
        history = [*opened(dsg=10_000_000), awaiting(big)]
        # Meanwhile the line was spent down: the signed item would take it past its budget.
        history.append(spent(spend(3_000_000, spent_on=date(2026, 8, 1), evidence_reference="INV-C",
                                   supplier="Other Ltd")))
        history.append(signed(sign(big.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)))
        rejected(history, sign(big.spend_id, "host-1", SigningOrganisation.HOST_SCHOOL),
                 errors.SpendExceedsLineRemaining)


class TestCommitmentPastItsLine:
    def test_a_commitment_past_its_line_is_accepted_with_a_recorded_warning(self) -> None:
        command = commit(2_500_000)
        history = [*opened(), spent(spend(5_000_000))]
        assert decide_on_history(history, command) == [
            committed(command),
            LineOverrunWarned(**SCOPE, commitment_id=command.commitment_id, category=STAFFING, funding_source=DSG,
                              remaining_after_pence=-1_500_000, budget_control_version="budget-control-1"),
        ]

    def test_a_commitment_within_its_line_carries_no_warning(self) -> None:
        command = commit(1_000_000)
        assert decide_on_history([*opened(), spent(spend(5_000_000))], command) == [committed(command)]


class TestSplitPurchases:
    def test_one_invoice_entered_as_two_halves_needs_both_signatures_on_the_total(self) -> None:
        """Issue 12: one £35,000 invoice entered as two £17,500 spends with one reference took no signature."""
        first = spend(1_750_000, spent_on=date(2026, 5, 1), evidence_reference="INV-35K")
        history = [*opened(), spent(first)]
        second = spend(1_750_000, spent_on=date(2026, 11, 1), evidence_reference="INV-35K")
        [held] = decide_on_history(history, second)
        assert isinstance(held, ItemSignaturesRequested)
        assert held.split_purchase_item_ids == (first.spend_id,)
        assert held.split_purchase_total_pence == 3_500_000

    def test_the_same_supplier_within_thirty_days_is_one_purchase_whatever_the_reference(self) -> None:
        first = spend(2_000_000, spent_on=date(2026, 5, 1), evidence_reference="INV-A")
        history = [*opened(), spent(first)]
        within = spend(1_500_000, spent_on=date(2026, 5, 31), evidence_reference="INV-B",
                       supplier="  supply agency LTD ")
        [held] = decide_on_history(history, within)
        assert isinstance(held, ItemSignaturesRequested)
        assert held.split_purchase_total_pence == 3_500_000
        outside = spend(1_500_000, spent_on=date(2026, 6, 1), evidence_reference="INV-C")
        assert decide_on_history(history, outside) == [spent(outside)]

    def test_a_split_commitment_is_held_too_and_other_suppliers_do_not_count(self) -> None:
        history = [*opened(), spent(spend(2_000_000, spent_on=date(2026, 5, 1)))]
        command = commit(1_500_000, raised_on=date(2026, 5, 2))  # another supplier (Therapy Partners)
        assert decide_on_history(history, command) == [committed(command)]
        same_supplier = spend(1_500_000, spent_on=date(2026, 5, 3), evidence_reference="INV-X")
        [held] = decide_on_history(history, same_supplier)
        assert isinstance(held, ItemSignaturesRequested)


class TestThreshold:
    def test_the_budget_setter_cannot_set_another_threshold(self) -> None:
        """Issue 12: a budget set by the LA's finance officer alone with a higher threshold took £35,000 unsigned."""
        command = SetBudget(**addressed(), budget_id=uuid4(), host_school_id=HOST, partnership_id=PARTNERSHIP,
                            dsg_allocation_pence=10_000_000, signature_threshold_pence=5_000_000)
        message = rejected([], command, errors.ThresholdSetAlone)
        assert "£30,000.00" in message and "£50,000.00" in message

    def test_a_threshold_changes_only_when_both_organisations_agree_the_same_figure(self) -> None:
        history = opened()
        [one] = decide_on_history(history, agree(5_000_000, SigningOrganisation.PARTNERSHIP))
        assert isinstance(one, SignatureThresholdAgreed)
        history.append(one)
        assert fold(history).signature_threshold_pence() == THRESHOLD
        big = spend(3_500_000, evidence_reference="INV-BIG")
        assert isinstance(decide_on_history(history, big)[0], ItemSignaturesRequested)
        different = decide_on_history(history, agree(4_000_000, SigningOrganisation.HOST_SCHOOL))
        assert [type(e) for e in different] == [SignatureThresholdAgreed]
        both = decide_on_history(history, agree(5_000_000, SigningOrganisation.HOST_SCHOOL))
        assert both[1] == SignatureThresholdChanged(**SCOPE, threshold_pence=5_000_000,
                                                    previous_threshold_pence=THRESHOLD)
        history += both
        assert decide_on_history(history, big) == [spent(big)]

    def test_an_agreement_comes_from_this_budget_s_partnership_or_host_school(self) -> None:
        stranger = RecordThresholdAgreement(**addressed(), threshold_pence=5_000_000, agreed_by="x",
                                            organisation_id="np-elsewhere",
                                            signing_organisation=SigningOrganisation.PARTNERSHIP)
        rejected(opened(), stranger, errors.SignerNotFromBudgetOrganisation)


class TestRefusalsSayWhatIsRecorded:
    def test_spend_against_a_commitment_awaiting_signatures_says_whose_signature_is_awaited(self) -> None:
        """Issue 12: it answered 404 "no commitment in this budget"."""
        raised = commit(THRESHOLD + 1)
        history = [*opened(), awaiting(raised)]
        against = spend(1_000, commitment_id=raised.commitment_id)
        message = rejected(history, against, errors.CommitmentAwaitingSignatures)
        assert "partnership and the host school" in message
        history.append(signed(sign(raised.commitment_id, "np-1", SigningOrganisation.PARTNERSHIP)))
        message = rejected(history, against, errors.CommitmentAwaitingSignatures)
        assert "host school" in message and "partnership" not in message

    @pytest.mark.parametrize("awaits", [False, True])
    def test_a_repeated_spend_id_says_the_spend_was_already_recorded_and_its_date(self, awaits: bool) -> None:
        first = spend(THRESHOLD + 1 if awaits else 12_345, spent_on=date(2026, 7, 3))
        history = [*opened(), awaiting(first) if awaits else spent(first)]
        message = rejected(history, spend(10, spend_id=first.spend_id, evidence_reference="INV-2",
                                          spent_on=date(2026, 12, 1)), errors.IdentifierAlreadyUsed)
        assert f"{first.spend_id} was already recorded" in message
        assert "dated 2026-07-03" in message and "Supply Agency Ltd" in message
        assert ("awaiting signatures" in message) is awaits


def test_the_recorded_history_folds_without_changing_past_figures() -> None:
    """The new events change no ledger figure by themselves: only VirementMade and spend do."""
    history = [*opened(), spent(spend(5_000_000))]
    before = fold(history)
    request = ask_overspend(1_000)
    history += decide_on_history(history, request)
    history += decide_on_history(history, approve_overspend(request, "host-head"))
    after = fold(history)
    assert after.line_budget_pence == before.line_budget_pence
    assert after.actual_pence == before.actual_pence
    assert isinstance(history[-1], OverspendApproved)
    assert BudgetCategory.STAFFING in {cell[0] for cell in after.approved_overspend_pence}
    assert SpendRecorded not in {type(e) for e in history[len(opened()) + 1:]}
