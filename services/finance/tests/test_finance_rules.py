"""Given past events, when a command arrives, then these events, or a rejection naming the rule.

A rejection raises, so a rejected command never produces an event.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ap_contracts.events.finance import (
    AllocationMethod,
    BudgetCategory,
    BudgetLineSet,
    BudgetSet,
    CarryForwardRecorded,
    ClawbackMade,
    CombinationProportions,
    CommitmentRaised,
    CommitmentReleased,
    CommitmentReleaseReason,
    FinanceEvent,
    FundingSource,
    ItemKind,
    ItemSignatureAdded,
    ItemSignaturesRequested,
    NeedsCriteriaWeights,
    SchoolAllocationInputs,
    SchoolShare,
    SigningOrganisation,
    SpendRecorded,
    SurplusAllocated,
    SurplusDetermined,
    VirementApproved,
    VirementMade,
    VirementRequested,
    YearClosed,
)
from ap_finance.domain import errors
from ap_finance.domain.commands import (
    DEFAULT_SIGNATURE_THRESHOLD_PENCE,
    AddItemSignature,
    AllocateSurplus,
    CloseYear,
    Command,
    MakeClawback,
    MakeVirement,
    RaiseCommitment,
    RecordCarryForward,
    RecordSpend,
    RecordVirementApproval,
    ReleaseCommitment,
    SetBudget,
    SetBudgetLine,
)
from ap_finance.domain.decide import decide_on_history
from ap_finance.domain.evolve import fold
from ap_runtime.refusal import RefusalKind

PROVISION = "pbp-north"
YEAR = "2026-27"
BUDGET_ID = UUID(int=1)
HOST = "school-host"
PARTNERSHIP = "np-north"
SCOPE: dict[str, Any] = {"budget_id": BUDGET_ID, "provision_id": PROVISION, "financial_year": YEAR}
STAFFING = BudgetCategory.STAFFING
RESOURCES = BudgetCategory.RESOURCES
DSG = FundingSource.DSG_ALLOCATION
IN_YEAR = date(2026, 6, 1)
THRESHOLD = DEFAULT_SIGNATURE_THRESHOLD_PENCE


def addressed() -> dict[str, Any]:
    return {"command_id": uuid4(), "provision_id": PROVISION, "financial_year": YEAR}


def budget_set(dsg: int = 10_000_000, top_up: int = 0, threshold: int = THRESHOLD) -> BudgetSet:
    return BudgetSet(
        **SCOPE,
        host_school_id=HOST,
        partnership_id=PARTNERSHIP,
        dsg_allocation_pence=dsg,
        top_up_pence=top_up,
        carry_forward_pence=0,
        signature_threshold_pence=threshold,
    )


def line(category: BudgetCategory, amount: int, source: FundingSource = DSG) -> BudgetLineSet:
    return BudgetLineSet(**SCOPE, category=category, funding_source=source, amount_pence=amount)


def opened(**budget: int) -> list[FinanceEvent]:
    """£100,000 of DSG: £60,000 on staffing, £20,000 on resources, £20,000 not yet given to a line."""
    return [budget_set(**budget), line(STAFFING, 6_000_000), line(RESOURCES, 2_000_000)]


def spend(
    amount: int, *, spend_id: UUID | None = None, category: BudgetCategory = STAFFING, **extra: Any
) -> RecordSpend:
    return RecordSpend(
        **addressed(),
        spend_id=spend_id or uuid4(),
        supplier=extra.pop("supplier", "Supply Agency Ltd"),
        category=category,
        funding_source=DSG,
        amount_pence=amount,
        spent_on=extra.pop("spent_on", IN_YEAR),
        evidence_reference=extra.pop("evidence_reference", "INV-001"),
        **extra,
    )


def spent(command: RecordSpend, signers: tuple[str, ...] = ()) -> SpendRecorded:
    return SpendRecorded(
        **SCOPE,
        spend_id=command.spend_id,
        supplier=command.supplier,
        category=command.category,
        funding_source=command.funding_source,
        amount_pence=command.amount_pence,
        spent_on=command.spent_on,
        evidence_reference=command.evidence_reference,
        commitment_id=command.commitment_id,
        signer_user_ids=signers,
    )


def commit(amount: int, *, commitment_id: UUID | None = None, raised_on: date = IN_YEAR) -> RaiseCommitment:
    return RaiseCommitment(
        **addressed(),
        commitment_id=commitment_id or uuid4(),
        supplier="Therapy Partners",
        category=STAFFING,
        funding_source=DSG,
        amount_pence=amount,
        raised_on=raised_on,
        evidence_reference="PO-7",
    )


def committed(command: RaiseCommitment, signers: tuple[str, ...] = ()) -> CommitmentRaised:
    return CommitmentRaised(
        **SCOPE,
        commitment_id=command.commitment_id,
        supplier=command.supplier,
        category=command.category,
        funding_source=command.funding_source,
        amount_pence=command.amount_pence,
        raised_on=command.raised_on,
        evidence_reference=command.evidence_reference,
        signer_user_ids=signers,
    )


def awaiting(command: RecordSpend | RaiseCommitment) -> ItemSignaturesRequested:
    if isinstance(command, RecordSpend):
        item_id, kind, day = command.spend_id, ItemKind.SPEND, command.spent_on
    else:
        item_id, kind, day = command.commitment_id, ItemKind.COMMITMENT, command.raised_on
    return ItemSignaturesRequested(
        **SCOPE,
        item_id=item_id,
        item_kind=kind,
        supplier=command.supplier,
        category=command.category,
        funding_source=command.funding_source,
        amount_pence=command.amount_pence,
        item_date=day,
        evidence_reference=command.evidence_reference,
        signature_threshold_pence=THRESHOLD,
    )


def sign(item_id: UUID, user: str, organisation: SigningOrganisation, org_id: str | None = None) -> AddItemSignature:
    default_org = PARTNERSHIP if organisation is SigningOrganisation.PARTNERSHIP else HOST
    return AddItemSignature(
        **addressed(),
        item_id=item_id,
        signer_user_id=user,
        signer_organisation_id=org_id or default_org,
        signing_organisation=organisation,
    )


def signed(command: AddItemSignature) -> ItemSignatureAdded:
    return ItemSignatureAdded(
        **SCOPE,
        item_id=command.item_id,
        signer_user_id=command.signer_user_id,
        signer_organisation_id=command.signer_organisation_id,
        signing_organisation=command.signing_organisation,
    )


def vire(amount: int, requested_by: str = "host-1", **extra: Any) -> MakeVirement:
    return MakeVirement(
        **addressed(),
        virement_id=extra.pop("virement_id", uuid4()),
        from_category=extra.pop("from_category", STAFFING),
        to_category=extra.pop("to_category", RESOURCES),
        funding_source=DSG,
        amount_pence=amount,
        reason="Extra sensory resources",
        requested_by=requested_by,
    )


def approve_virement(virement_id: UUID, approver: str) -> RecordVirementApproval:
    """The approval as the application builds it from the verified caller (here a Partnership lead)."""
    return RecordVirementApproval(**addressed(), virement_id=virement_id, approver_user_id=approver,
                                  approver_organisation_id=PARTNERSHIP)


def close() -> CloseYear:
    return CloseYear(**addressed(), closed_on=date(2027, 4, 20))


def closed(history: list[FinanceEvent]) -> list[FinanceEvent]:
    return history + decide_on_history(history, close())


def school(school_id: str, roll: int = 200, fsm: int = 10, send: int = 5) -> SchoolAllocationInputs:
    return SchoolAllocationInputs(
        school_id=school_id,
        pupil_roll=roll,
        deprivation_index=Decimal("0.2"),
        pupil_premium_count=fsm,
        free_school_meals_count=fsm,
        send_count=send,
    )


NEEDS = NeedsCriteriaWeights(
    pupil_roll=Decimal(1),
    deprivation_index=Decimal(0),
    pupil_premium=Decimal(0),
    free_school_meals=Decimal(1),
    send=Decimal(0),
)


def allocate(**extra: Any) -> AllocateSurplus:
    fields: dict[str, Any] = {
        "allocation_id": uuid4(),
        "method": AllocationMethod.NEEDS_BASED,
        "schools": (school("school-a", 300, 30), school("school-b", 100, 10)),
        "needs_weights": NEEDS,
    }
    fields.update(extra)
    return AllocateSurplus(**addressed(), **fields)


def rejected(history: list[FinanceEvent], command: Command, rule: type[errors.FinanceRuleViolation]) -> str:
    """Then: the command is rejected with the named rule (and so no event is produced)."""
    with pytest.raises(rule) as caught:
        decide_on_history(history, command)
    assert caught.value.rule_id == rule.rule_id
    assert str(caught.value).startswith(rule.rule_id)
    return caught.value.message


class TestBudget:
    def test_setting_a_budget_records_funding_and_threshold(self) -> None:
        command = SetBudget(
            **addressed(),
            budget_id=BUDGET_ID,
            host_school_id=HOST,
            partnership_id=PARTNERSHIP,
            dsg_allocation_pence=10_000_000,
        )
        assert decide_on_history([], command) == [budget_set()]

    def test_a_budget_is_set_once(self) -> None:
        command = SetBudget(
            **addressed(), budget_id=uuid4(), host_school_id=HOST, partnership_id=PARTNERSHIP, dsg_allocation_pence=1
        )
        rejected([budget_set()], command, errors.BudgetAlreadySet)

    def test_nothing_happens_before_the_budget_is_set(self) -> None:
        rejected([], spend(100), errors.BudgetNotSet)
        rejected([], close(), errors.BudgetNotSet)

    def test_a_command_for_another_budget_is_refused(self) -> None:
        command = spend(100).model_copy(update={"financial_year": "2027-28"})
        rejected(opened(), command, errors.CommandForAnotherBudget)

    def test_a_line_is_set(self) -> None:
        command = SetBudgetLine(
            **addressed(), category=BudgetCategory.TRAINING_CPD, funding_source=DSG, amount_pence=500
        )
        assert decide_on_history(opened(), command) == [line(BudgetCategory.TRAINING_CPD, 500)]

    def test_lines_may_use_all_of_a_source_but_no_more(self) -> None:
        exact = SetBudgetLine(
            **addressed(), category=BudgetCategory.PREMISES, funding_source=DSG, amount_pence=2_000_000
        )
        assert decide_on_history(opened(), exact) == [line(BudgetCategory.PREMISES, 2_000_000)]
        over = exact.model_copy(update={"amount_pence": 2_000_001})
        rejected(opened(), over, errors.BudgetLinesExceedFunding)

    def test_resetting_a_line_replaces_its_amount(self) -> None:
        command = SetBudgetLine(**addressed(), category=STAFFING, funding_source=DSG, amount_pence=8_000_000)
        assert decide_on_history(opened(), command) == [line(STAFFING, 8_000_000)]

    def test_lines_are_limited_by_their_own_funding_source(self) -> None:
        command = SetBudgetLine(**addressed(), category=STAFFING, funding_source=FundingSource.TOP_UP, amount_pence=1)
        rejected(opened(), command, errors.BudgetLinesExceedFunding)
        assert decide_on_history(opened(top_up=5), command) == [line(STAFFING, 1, FundingSource.TOP_UP)]

    def test_a_line_cannot_be_cut_below_its_spend_and_commitments(self) -> None:
        history = [*opened(), spent(spend(3_000_000)), committed(commit(1_000_000))]
        cut = SetBudgetLine(**addressed(), category=STAFFING, funding_source=DSG, amount_pence=3_999_999)
        rejected(history, cut, errors.LineBelowSpendAndCommitments)
        exact = cut.model_copy(update={"amount_pence": 4_000_000})
        assert decide_on_history(history, exact) == [line(STAFFING, 4_000_000)]

    def test_an_overspent_line_may_still_be_raised(self) -> None:
        history = [*opened(), spent(spend(7_000_000))]
        raise_line = SetBudgetLine(**addressed(), category=STAFFING, funding_source=DSG, amount_pence=6_500_000)
        assert decide_on_history(history, raise_line) == [line(STAFFING, 6_500_000)]

    def test_lines_are_frozen_once_the_year_is_closed(self) -> None:
        command = SetBudgetLine(**addressed(), category=STAFFING, funding_source=DSG, amount_pence=1)
        rejected(closed(opened()), command, errors.FinancialYearClosed)


class TestVirement:
    def test_a_virement_moves_budget_between_lines(self) -> None:
        command = vire(1_000_000)
        assert decide_on_history(opened(), command) == [
            VirementMade(
                **SCOPE,
                virement_id=command.virement_id,
                from_category=STAFFING,
                to_category=RESOURCES,
                funding_source=DSG,
                amount_pence=1_000_000,
                reason=command.reason,
            )
        ]

    def test_a_virement_needs_two_different_lines(self) -> None:
        rejected(opened(), vire(1, to_category=STAFFING), errors.VirementWithinOneLine)

    def test_a_virement_cannot_move_more_than_the_line_budget(self) -> None:
        rejected(opened(), vire(6_000_001), errors.VirementExceedsLineBudget)

    def test_a_virement_leaving_a_line_negative_is_requested_and_moves_nothing(self) -> None:
        history = [*opened(), spent(spend(5_000_000))]
        command = vire(1_000_001)
        [requested] = decide_on_history(history, command)
        assert isinstance(requested, VirementRequested)
        assert (requested.requested_by, requested.remaining_after_pence) == ("host-1", -1)
        assert fold([*history, requested]).line_budget_pence[(STAFFING, DSG)] == 6_000_000

    def test_a_requested_virement_is_made_when_another_person_approves_it(self) -> None:
        history = [*opened(), spent(spend(5_000_000))]
        command = vire(1_000_001)
        history += decide_on_history(history, command)
        approval = approve_virement(command.virement_id, "np-chair")
        assert decide_on_history(history, approval) == [
            VirementApproved(**SCOPE, virement_id=command.virement_id, approved_by="np-chair",
                             approver_organisation_id=PARTNERSHIP),
            VirementMade(**SCOPE, virement_id=command.virement_id, from_category=STAFFING, to_category=RESOURCES,
                         funding_source=DSG, amount_pence=1_000_001, reason=command.reason, approved_by="np-chair"),
        ]

    def test_the_requester_cannot_approve_their_own_virement(self) -> None:
        history = [*opened(), spent(spend(5_000_000))]
        command = vire(1_000_001, requested_by="host-1")
        history += decide_on_history(history, command)
        rejected(history, approve_virement(command.virement_id, "host-1"), errors.VirementApprovedByRequester)

    def test_an_approval_still_moves_no_more_than_the_line_now_holds(self) -> None:
        raised = commit(5_500_000)
        history = [*opened(), committed(raised)]
        command = vire(1_000_000)  # leaves staffing £5,000 short of its commitments: requested
        history += decide_on_history(history, command)
        # Meanwhile the commitment is released and the line cut to £5,000.
        history += [CommitmentReleased(**SCOPE, commitment_id=raised.commitment_id, category=STAFFING,
                                       funding_source=DSG, amount_pence=5_500_000, released_on=IN_YEAR,
                                       reason=CommitmentReleaseReason.CANCELLED),
                    line(STAFFING, 500_000)]
        rejected(history, approve_virement(command.virement_id, "np-chair"), errors.VirementExceedsLineBudget)

    def test_only_a_requested_virement_can_be_approved(self) -> None:
        made = vire(1)
        history = opened() + decide_on_history(opened(), made)
        rejected(history, approve_virement(made.virement_id, "np-chair"), errors.VirementNotAwaitingApproval)
        rejected(history, approve_virement(uuid4(), "np-chair"), errors.VirementNotAwaitingApproval)

    def test_a_virement_may_use_exactly_what_is_left(self) -> None:
        history = [*opened(), spent(spend(5_000_000))]
        assert len(decide_on_history(history, vire(1_000_000))) == 1

    def test_no_virement_in_a_closed_year(self) -> None:
        rejected(closed(opened()), vire(1), errors.FinancialYearClosed)

    def test_a_virement_id_is_used_once(self) -> None:
        first = vire(1)
        history = opened() + decide_on_history(opened(), first)
        rejected(history, vire(1, virement_id=first.virement_id), errors.IdentifierAlreadyUsed)


class TestSpend:
    def test_spend_under_the_threshold_is_recorded(self) -> None:
        command = spend(250_000)
        assert decide_on_history(opened(), command) == [spent(command)]

    def test_spend_of_exactly_the_threshold_needs_no_signatures(self) -> None:
        command = spend(THRESHOLD)
        assert decide_on_history(opened(), command) == [spent(command)]

    def test_spend_over_the_threshold_awaits_signatures(self) -> None:
        command = spend(THRESHOLD + 1)
        assert decide_on_history(opened(), command) == [awaiting(command)]

    def test_the_threshold_is_configurable_per_budget(self) -> None:
        command = spend(100_001)
        [event] = decide_on_history(opened(threshold=100_000), command)
        assert isinstance(event, ItemSignaturesRequested)
        assert event.signature_threshold_pence == 100_000

    def test_spend_beyond_what_is_left_on_its_line_is_refused(self) -> None:
        """Issue 12: a £9,000 spend on a line with nothing left was accepted and the line went negative."""
        command = spend(900_000, category=BudgetCategory.TRANSPORT, spent_on=date(2027, 3, 31))
        message = rejected(opened(), command, errors.SpendExceedsLineRemaining)
        assert "£9,000.00" in message and "£0.00 left" in message and "budget-control-1" in message
        history = [*opened(), spent(spend(5_000_000))]
        later = {"spent_on": date(2026, 12, 1), "evidence_reference": "INV-002"}  # not part of a split purchase
        rejected(history, spend(1_000_001, **later), errors.SpendExceedsLineRemaining)
        assert decide_on_history(history, last := spend(1_000_000, **later)) == [spent(last)]

    def test_no_spend_against_a_closed_year(self) -> None:
        rejected(closed(opened()), spend(1), errors.FinancialYearClosed)

    def test_spend_is_dated_inside_the_financial_year(self) -> None:
        rejected(opened(), spend(1, spent_on=date(2027, 4, 1)), errors.DateOutsideFinancialYear)
        rejected(opened(), spend(1, spent_on=date(2026, 3, 31)), errors.DateOutsideFinancialYear)
        assert len(decide_on_history(opened(), spend(1, spent_on=date(2026, 4, 1)))) == 1

    def test_a_spend_id_is_used_once_even_while_awaiting_signatures(self) -> None:
        first = spend(THRESHOLD + 1)
        history = [*opened(), awaiting(first)]
        rejected(history, spend(1, spend_id=first.spend_id), errors.IdentifierAlreadyUsed)
        rejected(
            [*opened(), spent(spend(1, spend_id=first.spend_id))],
            spend(2, spend_id=first.spend_id),
            errors.IdentifierAlreadyUsed,
        )


class TestCommitments:
    def test_a_commitment_under_the_threshold_is_raised(self) -> None:
        command = commit(1_000_000)
        assert decide_on_history(opened(), command) == [committed(command)]

    def test_a_commitment_over_the_threshold_awaits_signatures(self) -> None:
        command = commit(THRESHOLD + 1)
        assert decide_on_history(opened(), command) == [awaiting(command)]

    def test_no_commitment_against_a_closed_year(self) -> None:
        rejected(closed(opened()), commit(1), errors.FinancialYearClosed)

    def test_a_commitment_is_dated_inside_the_financial_year(self) -> None:
        rejected(opened(), commit(1, raised_on=date(2027, 4, 2)), errors.DateOutsideFinancialYear)

    def test_spend_against_a_signed_commitment_needs_no_new_signatures(self) -> None:
        raised = commit(THRESHOLD + 500)
        history = [*opened(), committed(raised, ("np-1", "host-1"))]
        command = spend(THRESHOLD + 500, commitment_id=raised.commitment_id)
        assert decide_on_history(history, command) == [spent(command)]

    def test_spend_against_an_unknown_commitment_is_refused(self) -> None:
        rejected(opened(), spend(1, commitment_id=uuid4()), errors.UnknownCommitment)

    def test_spend_against_a_commitment_keeps_its_category(self) -> None:
        raised = commit(1_000)
        history = [*opened(), committed(raised)]
        command = spend(10, commitment_id=raised.commitment_id, category=RESOURCES)
        rejected(history, command, errors.SpendDoesNotMatchCommitment)

    def test_spend_against_a_commitment_stays_within_what_is_outstanding(self) -> None:
        raised = commit(1_000)
        history = [*opened(), committed(raised), spent(spend(600, commitment_id=raised.commitment_id))]
        rejected(history, spend(401, commitment_id=raised.commitment_id), errors.SpendExceedsCommitment)
        assert len(decide_on_history(history, spend(400, commitment_id=raised.commitment_id))) == 1

    def test_releasing_a_commitment_releases_what_is_outstanding(self) -> None:
        raised = commit(1_000)
        history = [*opened(), committed(raised), spent(spend(600, commitment_id=raised.commitment_id))]
        command = ReleaseCommitment(
            **addressed(),
            commitment_id=raised.commitment_id,
            released_on=IN_YEAR,
            reason=CommitmentReleaseReason.SETTLED_FOR_LESS,
        )
        assert decide_on_history(history, command) == [
            CommitmentReleased(
                **SCOPE,
                commitment_id=raised.commitment_id,
                category=STAFFING,
                funding_source=DSG,
                amount_pence=400,
                released_on=IN_YEAR,
                reason=CommitmentReleaseReason.SETTLED_FOR_LESS,
            )
        ]

    def test_a_release_stays_within_what_is_outstanding(self) -> None:
        raised = commit(1_000)
        history = [*opened(), committed(raised)]
        release = ReleaseCommitment(
            **addressed(),
            commitment_id=raised.commitment_id,
            released_on=IN_YEAR,
            reason=CommitmentReleaseReason.CANCELLED,
            amount_pence=1_001,
        )
        rejected(history, release, errors.ReleaseExceedsCommitment)
        settled = [*history, spent(spend(1_000, commitment_id=raised.commitment_id))]
        message = rejected(settled, release.model_copy(update={"amount_pence": None}), errors.ReleaseExceedsCommitment)
        assert "nothing is outstanding" in message

    def test_releasing_an_unknown_commitment_is_refused(self) -> None:
        release = ReleaseCommitment(
            **addressed(), commitment_id=uuid4(), released_on=IN_YEAR, reason=CommitmentReleaseReason.CANCELLED
        )
        rejected(opened(), release, errors.UnknownCommitment)

    def test_no_release_in_a_closed_year(self) -> None:
        raised = commit(1_000)
        history = closed([*opened(), committed(raised)])
        release = ReleaseCommitment(
            **addressed(),
            commitment_id=raised.commitment_id,
            released_on=IN_YEAR,
            reason=CommitmentReleaseReason.CANCELLED,
        )
        rejected(history, release, errors.FinancialYearClosed)


class TestTwoSignatures:
    big_spend = spend(THRESHOLD + 1)

    def pending(self) -> list[FinanceEvent]:
        return [*opened(), awaiting(self.big_spend)]

    def test_one_signature_is_not_enough(self) -> None:
        first = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)
        assert decide_on_history(self.pending(), first) == [signed(first)]

    def test_partnership_and_host_school_signatures_by_two_people_record_the_spend(self) -> None:
        first = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)
        second = sign(self.big_spend.spend_id, "host-1", SigningOrganisation.HOST_SCHOOL)
        history = [*self.pending(), signed(first)]
        assert decide_on_history(history, second) == [signed(second), spent(self.big_spend, ("np-1", "host-1"))]

    def test_either_organisation_may_sign_first(self) -> None:
        first = sign(self.big_spend.spend_id, "host-1", SigningOrganisation.HOST_SCHOOL)
        second = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)
        history = [*self.pending(), signed(first)]
        assert decide_on_history(history, second)[-1] == spent(self.big_spend, ("host-1", "np-1"))

    def test_a_commitment_becomes_raised_on_the_second_signature(self) -> None:
        big = commit(THRESHOLD + 1)
        first = sign(big.commitment_id, "np-1", SigningOrganisation.PARTNERSHIP)
        second = sign(big.commitment_id, "host-1", SigningOrganisation.HOST_SCHOOL)
        history = [*opened(), awaiting(big), signed(first)]
        assert decide_on_history(history, second) == [signed(second), committed(big, ("np-1", "host-1"))]

    def test_the_same_person_cannot_sign_twice(self) -> None:
        first = sign(self.big_spend.spend_id, "dual-role", SigningOrganisation.PARTNERSHIP)
        again = sign(self.big_spend.spend_id, "dual-role", SigningOrganisation.HOST_SCHOOL)
        rejected([*self.pending(), signed(first)], again, errors.SameSignerTwice)

    def test_both_signatures_cannot_come_from_one_organisation(self) -> None:
        first = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)
        second = sign(self.big_spend.spend_id, "np-2", SigningOrganisation.PARTNERSHIP)
        rejected([*self.pending(), signed(first)], second, errors.OrganisationAlreadySigned)

    def test_a_signer_signs_for_this_budget_s_partnership_or_host_school(self) -> None:
        stranger = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP, org_id="np-south")
        rejected(self.pending(), stranger, errors.SignerNotFromBudgetOrganisation)

    def test_only_items_awaiting_signatures_can_be_signed(self) -> None:
        rejected(opened(), sign(uuid4(), "np-1", SigningOrganisation.PARTNERSHIP), errors.ItemNotAwaitingSignatures)
        first = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)
        second = sign(self.big_spend.spend_id, "host-1", SigningOrganisation.HOST_SCHOOL)
        done = [*self.pending(), signed(first), signed(second), spent(self.big_spend, ("np-1", "host-1"))]
        third = sign(self.big_spend.spend_id, "host-2", SigningOrganisation.HOST_SCHOOL)
        rejected(done, third, errors.ItemNotAwaitingSignatures)

    def test_an_item_cannot_be_signed_into_a_closed_year(self) -> None:
        first = sign(self.big_spend.spend_id, "np-1", SigningOrganisation.PARTNERSHIP)
        history = closed([*self.pending(), signed(first)])
        second = sign(self.big_spend.spend_id, "host-1", SigningOrganisation.HOST_SCHOOL)
        rejected(history, second, errors.FinancialYearClosed)


class TestYearEnd:
    def test_closing_determines_the_surplus(self) -> None:
        raised = commit(1_000_000)
        history = [*opened(), spent(spend(2_500_000)), committed(raised)]
        assert decide_on_history(history, close()) == [
            YearClosed(**SCOPE, closed_on=date(2027, 4, 20)),
            SurplusDetermined(
                **SCOPE,
                budget_pence=10_000_000,
                actual_pence=2_500_000,
                committed_pence=1_000_000,
                surplus_pence=6_500_000,
            ),
        ]

    def test_closing_an_overspent_year_determines_a_deficit(self) -> None:
        history = [*opened(threshold=20_000_000), spent(spend(11_000_000))]
        determined = decide_on_history(history, close())[-1]
        assert isinstance(determined, SurplusDetermined)
        assert determined.surplus_pence == -1_000_000

    def test_a_year_closes_once(self) -> None:
        rejected(closed(opened()), close(), errors.FinancialYearClosed)

    def test_the_surplus_is_used_only_after_close(self) -> None:
        rejected(opened(), RecordCarryForward(**addressed(), carry_forward_id=uuid4()), errors.YearNotClosed)
        rejected(opened(), allocate(), errors.YearNotClosed)
        clawback = MakeClawback(
            **addressed(),
            clawback_id=uuid4(),
            amount_pence=1,
            local_authority_id="la",
            authorised_by="la-1",
            reason="r",
        )
        rejected(opened(), clawback, errors.YearNotClosed)

    def test_carry_forward_takes_what_is_left_into_next_year(self) -> None:
        command = RecordCarryForward(**addressed(), carry_forward_id=uuid4())
        assert decide_on_history(closed(opened()), command) == [
            CarryForwardRecorded(
                **SCOPE,
                carry_forward_id=command.carry_forward_id,
                amount_pence=10_000_000,
                into_financial_year="2027-28",
            )
        ]

    def test_carry_forward_stays_within_the_available_balance(self) -> None:
        command = RecordCarryForward(**addressed(), carry_forward_id=uuid4(), amount_pence=10_000_001)
        rejected(closed(opened()), command, errors.CarryForwardExceedsAvailableBalance)

    def clawback(self, amount: int) -> MakeClawback:
        return MakeClawback(
            **addressed(),
            clawback_id=uuid4(),
            amount_pence=amount,
            local_authority_id="la-county",
            authorised_by="la-finance-1",
            reason="Balance above the agreed level",
        )

    def test_the_local_authority_claws_back_surplus(self) -> None:
        command = self.clawback(4_000_000)
        assert decide_on_history(closed(opened()), command) == [
            ClawbackMade(
                **SCOPE,
                clawback_id=command.clawback_id,
                amount_pence=4_000_000,
                local_authority_id="la-county",
                authorised_by="la-finance-1",
                reason=command.reason,
            )
        ]

    def test_clawback_above_the_available_balance_is_refused(self) -> None:
        history = closed(opened())
        rejected(history, self.clawback(10_000_001), errors.ClawbackExceedsAvailableBalance)
        after_carry = history + decide_on_history(
            history, RecordCarryForward(**addressed(), carry_forward_id=uuid4(), amount_pence=9_000_000)
        )
        rejected(after_carry, self.clawback(1_000_001), errors.ClawbackExceedsAvailableBalance)
        assert len(decide_on_history(after_carry, self.clawback(1_000_000))) == 1

    def test_a_deficit_leaves_nothing_to_use(self) -> None:
        history = closed([*opened(threshold=20_000_000), spent(spend(11_000_000))])
        rejected(history, self.clawback(1), errors.NoSurplusAvailable)
        rejected(history, allocate(), errors.NoSurplusAvailable)
        rejected(history, RecordCarryForward(**addressed(), carry_forward_id=uuid4()), errors.NoSurplusAvailable)

    def test_a_fully_used_surplus_leaves_nothing_to_use(self) -> None:
        history = closed(opened())
        history += decide_on_history(history, RecordCarryForward(**addressed(), carry_forward_id=uuid4()))
        rejected(history, self.clawback(1), errors.NoSurplusAvailable)

    def test_identifiers_of_year_end_items_are_used_once(self) -> None:
        history = closed(opened())
        first = self.clawback(1)
        history += decide_on_history(history, first)
        rejected(history, first.model_copy(update={"command_id": uuid4()}), errors.IdentifierAlreadyUsed)


class TestSurplusAllocation:
    def test_a_needs_based_allocation_shares_the_whole_surplus(self) -> None:
        command = allocate(consultation_reference="NP minutes 2027-05")
        [event] = decide_on_history(closed(opened()), command)
        assert isinstance(event, SurplusAllocated)
        # roll 300:100 and FSM 30:10, equally weighted: scores 3/4 + 3/4 and 1/4 + 1/4.
        assert event.shares == (
            SchoolShare(school_id="school-a", amount_pence=7_500_000),
            SchoolShare(school_id="school-b", amount_pence=2_500_000),
        )
        assert event.host_school_id == HOST
        assert event.amount_pence == 10_000_000

    def test_part_of_the_surplus_may_be_allocated(self) -> None:
        [event] = decide_on_history(closed(opened()), allocate(amount_pence=3))
        assert isinstance(event, SurplusAllocated)
        assert [share.amount_pence for share in event.shares] == [2, 1]

    def test_an_allocation_stays_within_the_available_balance(self) -> None:
        rejected(closed(opened()), allocate(amount_pence=10_000_001), errors.AllocationExceedsAvailableBalance)

    def test_proposed_shares_must_add_up_to_the_surplus(self) -> None:
        proposed = (
            SchoolShare(school_id="school-a", amount_pence=7_500_000),
            SchoolShare(school_id="school-b", amount_pence=2_499_999),
        )
        rejected(closed(opened()), allocate(proposed_shares=proposed), errors.AllocationSharesDoNotSumToSurplus)

    def test_proposed_shares_must_be_what_the_method_gives(self) -> None:
        proposed = (
            SchoolShare(school_id="school-a", amount_pence=5_000_000),
            SchoolShare(school_id="school-b", amount_pence=5_000_000),
        )
        message = rejected(
            closed(opened()), allocate(proposed_shares=proposed), errors.AllocationSharesDoNotMatchMethod
        )
        assert "school-a" in message

    def test_matching_proposed_shares_are_accepted(self) -> None:
        proposed = (
            SchoolShare(school_id="school-b", amount_pence=2_500_000),
            SchoolShare(school_id="school-a", amount_pence=7_500_000),
        )
        assert len(decide_on_history(closed(opened()), allocate(proposed_shares=proposed))) == 1

    def test_strategic_plan_gives_everything_to_the_host_school(self) -> None:
        command = allocate(method=AllocationMethod.STRATEGIC_PLAN, schools=(), needs_weights=None)
        [event] = decide_on_history(closed(opened()), command)
        assert isinstance(event, SurplusAllocated)
        assert event.shares == (SchoolShare(school_id=HOST, amount_pence=10_000_000),)

    def test_a_combination_splits_by_proportion_then_by_method(self) -> None:
        proportions = CombinationProportions(
            needs_based=Decimal("0.5"), equity_based=Decimal("0.3"), strategic_plan=Decimal("0.2")
        )
        command = allocate(method=AllocationMethod.COMBINATION, proportions=proportions)
        [event] = decide_on_history(closed(opened()), command)
        assert isinstance(event, SurplusAllocated)
        # needs £50,000 split 3:1, equity £30,000 split equally, strategic £20,000 to the host.
        assert {share.school_id: share.amount_pence for share in event.shares} == {
            "school-a": 3_750_000 + 1_500_000,
            "school-b": 1_250_000 + 1_500_000,
            HOST: 2_000_000,
        }

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"needs_weights": None}, "weight of each criterion"),
            ({"schools": ()}, "need the Partnership's schools"),
            ({"schools": (school("school-a"), school("school-a"))}, "listed twice"),
            ({"method": AllocationMethod.COMBINATION, "needs_weights": None}, "proportion given to each method"),
            (
                {"proportions": CombinationProportions(needs_based=1, equity_based=0, strategic_plan=0)},
                "combination only",
            ),
            (
                {"method": AllocationMethod.EQUITY_BASED},
                "needs weights apply to a needs-based share only",
            ),
            (
                {"schools": (school("school-a", 0, 0), school("school-b", 0, 0))},
                "every school scores zero",
            ),
            (
                {
                    "method": AllocationMethod.EQUITY_BASED,
                    "needs_weights": None,
                    "schools": (school("school-a").model_copy(update={"equity_weight": Decimal(0)}),),
                },
                "equity weight is zero",
            ),
            (
                {
                    "method": AllocationMethod.COMBINATION,
                    "proportions": CombinationProportions(needs_based=0, equity_based=0, strategic_plan=0),
                },
                "every proportion",
            ),
        ],
    )
    def test_the_method_and_inputs_must_define_the_shares(self, changes: dict[str, Any], problem: str) -> None:
        message = rejected(closed(opened()), allocate(**changes), errors.AllocationSpecificationIncomplete)
        assert problem in message


class TestRuleCatalogue:
    def test_every_rule_has_a_unique_id_and_a_kind_of_refusal(self) -> None:
        rules: list[type[errors.FinanceRuleViolation]] = []
        pending: list[type[errors.FinanceRuleViolation]] = [errors.FinanceRuleViolation]
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            if "rule_id" in cls.__dict__:
                rules.append(cls)
        ids = [rule.rule_id for rule in rules]
        assert len(ids) == len(set(ids)) == len(errors.rule_catalogue())
        for rule in rules:
            # <area>.<rule>, the one scheme of domain rule ids (tests/test_rule_ids.py)
            assert re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*", rule.rule_id)
            assert isinstance(rule.kind, RefusalKind) and not hasattr(rule, "http_status")
