"""The finance pages' questions without a browser: money typed in pounds, a virement's answers, and the shares
an allocation's check page shows (the finance domain's own ``allocate``, so they are what the service records).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ap_contracts.events.finance import (
    AllocationMethod,
    CombinationProportions,
    NeedsCriteriaWeights,
    SchoolAllocationInputs,
)
from ap_finance.domain.allocation import allocate
from ap_web.journeys.finance_allocation import answers_from, blank_answers, check_allocation, command_body, shares_shown
from ap_web.journeys.finance_forms import check_virement, pence_of, pounds


@pytest.mark.parametrize(("typed", "pence"), [("1250", 125_000), ("£1,250.50", 125_050), (" 0.07 ", 7), ("3.5", 350),
                                              ("", None), ("12.345", None), ("-5", None), ("1e3", None),
                                              ("£", None), ("ten", None)])
def test_an_amount_typed_in_pounds_is_read_in_pence_or_refused(typed: str, pence: int | None) -> None:
    assert pence_of(typed) == pence


@pytest.mark.parametrize(("pence", "shown"), [(0, "£0.00"), (7, "£0.07"), (123_456_789, "£1,234,567.89"),
                                              (-35_040, "-£350.40")])
def test_pence_are_shown_as_pounds(pence: int, shown: str) -> None:
    assert pounds(pence) == shown


def test_a_virement_with_nothing_answered_names_every_field_in_page_order() -> None:
    errors = check_virement({})
    assert [error.field for error in errors] == ["from_category", "to_category", "funding_source", "amount", "reason"]


def test_a_virement_within_one_line_or_of_nothing_is_refused_against_its_field() -> None:
    answers = {"from_category": "contingency", "to_category": "contingency", "funding_source": "dsg_allocation",
               "amount": "0", "reason": "Training"}
    assert {(e.field, e.message) for e in check_virement(answers)} == {
        ("to_category", "Select a different line from the one the budget moves from"),
        ("amount", "The amount must be more than £0")}
    assert check_virement({**answers, "to_category": "training_cpd", "amount": "3,000"}) == []


def _school_answers(**extra: str) -> dict[str, str]:
    form = {**blank_answers(), "method": "combination", "amount": "10,000.01"}
    for row, (school, roll, index) in enumerate((("school-a", "420", "0.28"), ("school-b", "210", "0.35"),
                                                  ("school-c", "630", "0.18")), start=1):
        form |= {f"school_{row}_id": school, f"school_{row}_pupil_roll": roll,
                 f"school_{row}_deprivation_index": index, f"school_{row}_pupil_premium_count": "10",
                 f"school_{row}_free_school_meals_count": "9", f"school_{row}_send_count": "5"}
    return answers_from(form | extra)


def test_the_shares_shown_are_the_domains_own_and_add_up_to_the_amount() -> None:
    answers = _school_answers()
    assert check_allocation(answers) == []
    shares, problem = shares_shown(answers, "school-host")
    assert problem is None
    schools = [SchoolAllocationInputs(school_id=s, pupil_roll=r, deprivation_index=Decimal(i), pupil_premium_count=10,
                                      free_school_meals_count=9, send_count=5)
               for s, r, i in (("school-a", 420, "0.28"), ("school-b", 210, "0.35"), ("school-c", 630, "0.18"))]
    weights = NeedsCriteriaWeights(pupil_roll=Decimal("0.30"), deprivation_index=Decimal("0.20"),
                                   pupil_premium=Decimal("0.20"), free_school_meals=Decimal("0.15"),
                                   send=Decimal("0.15"))
    proportions = CombinationProportions(needs_based=Decimal(50), equity_based=Decimal(30), strategic_plan=Decimal(20))
    expected = allocate(1_000_001, AllocationMethod.COMBINATION, schools, "school-host", needs_weights=weights,
                        proportions=proportions)
    assert shares == [share.model_dump(mode="json") for share in expected]
    assert sum(share["amount_pence"] for share in shares) == 1_000_001
    body = command_body({**answers, "command_id": "c", "allocation_id": "a"}, "school-host")
    assert body["proposed_shares"] == shares and body["amount_pence"] == 1_000_001


def test_allocation_answers_that_define_no_shares_are_refused_against_their_fields() -> None:
    errors = check_allocation(answers_from({"method": "needs_based", "amount": "ten", "weight_send": "x"}))
    assert [error.field for error in errors] == ["amount", "weight_pupil_roll", "weight_deprivation_index",
                                                 "weight_pupil_premium", "weight_free_school_meals", "weight_send",
                                                 "proportion_needs_based", "proportion_equity_based",
                                                 "proportion_strategic_plan", "school_1_id"]
    bad_school = _school_answers(school_2_pupil_roll="lots")
    assert [(e.field, e.message[:24]) for e in check_allocation(bad_school)] == [
        ("school_2_id", "Enter school 2's figures")]
    strategic = answers_from({**blank_answers(), "method": "strategic_plan", "amount": "500"})
    assert check_allocation(strategic) == []  # all to the host school: no school need be listed
    assert shares_shown(strategic, "school-host") == ([{"school_id": "school-host", "amount_pence": 50_000}], None)
