"""Allocation maths: exact largest-remainder splitting, needs/equity/strategic/combination, recomputation."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from ap_contracts.events.finance import (
    AllocationMethod,
    CombinationProportions,
    NeedsCriteriaWeights,
    SchoolAllocationInputs,
    SchoolShare,
    SurplusAllocated,
)
from ap_finance.domain.allocation import (
    allocate,
    equity_scores,
    needs_scores,
    recompute,
    split_largest_remainder,
)

HOST = "host"


def school(
    school_id: str,
    roll: int = 0,
    deprivation: str = "0",
    pp: int = 0,
    fsm: int = 0,
    send: int = 0,
    equity: str = "1",
) -> SchoolAllocationInputs:
    return SchoolAllocationInputs(
        school_id=school_id,
        pupil_roll=roll,
        deprivation_index=Decimal(deprivation),
        pupil_premium_count=pp,
        free_school_meals_count=fsm,
        send_count=send,
        equity_weight=Decimal(equity),
    )


def weights(
    roll: str = "0", deprivation: str = "0", pp: str = "0", fsm: str = "0", send: str = "0"
) -> NeedsCriteriaWeights:
    return NeedsCriteriaWeights(
        pupil_roll=Decimal(roll),
        deprivation_index=Decimal(deprivation),
        pupil_premium=Decimal(pp),
        free_school_meals=Decimal(fsm),
        send=Decimal(send),
    )


def as_dict(shares: tuple[SchoolShare, ...]) -> dict[str, int]:
    return {share.school_id: share.amount_pence for share in shares}


class TestLargestRemainder:
    def test_spare_pence_go_to_the_largest_remainders(self) -> None:
        # quotas 14.29, 28.57, 57.14 -> floors 14, 28, 57 (99): the spare penny goes to 28.57.
        assert split_largest_remainder(100, {"a": Fraction(1), "b": Fraction(2), "c": Fraction(4)}) == {
            "a": 14,
            "b": 29,
            "c": 57,
        }

    def test_ties_go_to_the_lower_school_id(self) -> None:
        assert split_largest_remainder(100, {"c": Fraction(1), "a": Fraction(1), "b": Fraction(1)}) == {
            "a": 34,
            "b": 33,
            "c": 33,
        }
        assert split_largest_remainder(1, {"school-b": Fraction(1), "school-a": Fraction(1)}) == {
            "school-a": 1,
            "school-b": 0,
        }

    def test_all_zero_weights_split_equally(self) -> None:
        assert split_largest_remainder(5, {"a": Fraction(0), "b": Fraction(0)}) == {"a": 3, "b": 2}

    def test_zero_weight_gets_nothing_when_others_have_weight(self) -> None:
        assert split_largest_remainder(7, {"a": Fraction(0), "b": Fraction(1), "c": Fraction(1)}) == {
            "a": 0,
            "b": 4,
            "c": 3,
        }

    def test_one_penny_one_school(self) -> None:
        assert split_largest_remainder(1, {"only": Fraction(3)}) == {"only": 1}

    def test_nothing_to_split(self) -> None:
        assert split_largest_remainder(0, {"a": Fraction(1), "b": Fraction(2)}) == {"a": 0, "b": 0}


class TestMethods:
    def test_needs_inputs_are_normalised_by_their_total_across_schools(self) -> None:
        schools = [school("a", roll=100, fsm=30), school("b", roll=300, fsm=10)]
        scores = needs_scores(schools, weights(roll="1", fsm="3"))
        # a: 1 * 100/400 + 3 * 30/40 = 1/4 + 9/4; b: 1 * 300/400 + 3 * 10/40 = 3/4 + 3/4.
        assert scores == {"a": Fraction(5, 2), "b": Fraction(3, 2)}

    def test_a_criterion_with_all_zero_inputs_adds_nothing(self) -> None:
        schools = [school("a", roll=1), school("b", roll=3)]
        assert needs_scores(schools, weights(roll="1", send="5")) == {"a": Fraction(1, 4), "b": Fraction(3, 4)}

    def test_deprivation_index_is_exact(self) -> None:
        schools = [school("a", deprivation="0.1"), school("b", deprivation="0.2")]
        shares = allocate(300, AllocationMethod.NEEDS_BASED, schools, HOST, needs_weights=weights(deprivation="1"))
        assert as_dict(shares) == {"a": 100, "b": 200}

    def test_equity_based_defaults_to_equal_shares(self) -> None:
        shares = allocate(10, AllocationMethod.EQUITY_BASED, [school("b"), school("a"), school("c")], HOST)
        assert as_dict(shares) == {"a": 4, "b": 3, "c": 3}
        assert equity_scores([school("a", equity="2.5")]) == {"a": Fraction(5, 2)}

    def test_equity_weights_shape_the_shares(self) -> None:
        schools = [school("a", equity="3"), school("b", equity="1")]
        assert as_dict(allocate(1_000, AllocationMethod.EQUITY_BASED, schools, HOST)) == {"a": 750, "b": 250}

    def test_strategic_plan_gives_all_to_the_host(self) -> None:
        shares = allocate(999, AllocationMethod.STRATEGIC_PLAN, [school("a")], HOST)
        assert as_dict(shares) == {"a": 0, HOST: 999}

    def test_combination_splits_first_by_proportion(self) -> None:
        proportions = CombinationProportions(needs_based=Decimal(1), equity_based=Decimal(1), strategic_plan=Decimal(1))
        schools = [school("a", roll=1), school("b", roll=0)]
        shares = allocate(100, AllocationMethod.COMBINATION, schools, HOST, weights(roll="1"), proportions)
        # parts 34 (equity, tie to lower name), 33 needs, 33 strategic; needs all to a; equity 17/17.
        assert as_dict(shares) == {"a": 33 + 17, "b": 17, HOST: 33}

    def test_a_method_with_zero_proportion_takes_no_part(self) -> None:
        proportions = CombinationProportions(needs_based=Decimal(0), equity_based=Decimal(1), strategic_plan=Decimal(0))
        shares = allocate(10, AllocationMethod.COMBINATION, [school("a"), school("b")], HOST, None, proportions)
        assert as_dict(shares) == {"a": 5, "b": 5}


# --- property tests -------------------------------------------------------------------------------

school_ids = st.lists(
    st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=6).map(lambda s: "s" + s),
    min_size=1,
    max_size=8,
    unique=True,
)
ratios = st.one_of(
    st.just(Decimal(0)),
    st.integers(0, 10_000).map(Decimal),
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
)
counts = st.one_of(st.just(0), st.integers(0, 5_000))
amounts = st.one_of(st.just(1), st.just(0), st.integers(0, 10**11))


@st.composite
def schools_strategy(draw: st.DrawFn) -> list[SchoolAllocationInputs]:
    return [
        SchoolAllocationInputs(
            school_id=school_id,
            pupil_roll=draw(counts),
            deprivation_index=draw(ratios),
            pupil_premium_count=draw(counts),
            free_school_meals_count=draw(counts),
            send_count=draw(counts),
            equity_weight=draw(ratios),
        )
        for school_id in draw(school_ids)
    ]


needs_weights_strategy = st.builds(
    NeedsCriteriaWeights,
    pupil_roll=ratios,
    deprivation_index=ratios,
    pupil_premium=ratios,
    free_school_meals=ratios,
    send=ratios,
)
proportions_strategy = st.builds(CombinationProportions, needs_based=ratios, equity_based=ratios, strategic_plan=ratios)


@given(
    total=amounts,
    weights_by_key=st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.one_of(st.just(Fraction(0)), st.fractions(min_value=0, max_value=10**6, max_denominator=10**6)),
        min_size=1,
        max_size=12,
    ),
)
def test_a_split_always_adds_up_and_each_share_is_within_a_penny_of_its_quota(
    total: int, weights_by_key: dict[str, Fraction]
) -> None:
    shares = split_largest_remainder(total, weights_by_key)
    assert sum(shares.values()) == total
    assert shares.keys() == weights_by_key.keys()
    weight_sum = sum(weights_by_key.values(), Fraction(0))
    for key, share in shares.items():
        quota = total * weights_by_key[key] / weight_sum if weight_sum else Fraction(total, len(weights_by_key))
        assert abs(share - quota) < 1
        if weight_sum and weights_by_key[key] == 0:
            assert share == 0


@given(total=amounts, weights_by_key=st.dictionaries(st.text(max_size=3), st.integers(0, 5).map(Fraction), min_size=1))
def test_a_split_does_not_depend_on_the_order_of_the_schools(total: int, weights_by_key: dict[str, Fraction]) -> None:
    items = list(weights_by_key.items())
    random.Random(total).shuffle(items)
    assert split_largest_remainder(total, dict(items)) == split_largest_remainder(total, weights_by_key)


@given(
    amount=amounts,
    method=st.sampled_from(list(AllocationMethod)),
    schools=schools_strategy(),
    needs_weights=needs_weights_strategy,
    proportions=proportions_strategy,
)
@settings(max_examples=300)
def test_every_allocation_adds_up_to_the_amount_exactly(
    amount: int,
    method: AllocationMethod,
    schools: list[SchoolAllocationInputs],
    needs_weights: NeedsCriteriaWeights,
    proportions: CombinationProportions,
) -> None:
    shares = allocate(amount, method, schools, HOST, needs_weights, proportions)
    assert sum(share.amount_pence for share in shares) == amount
    assert all(share.amount_pence >= 0 for share in shares)
    ids = [share.school_id for share in shares]
    assert ids == sorted(set(ids))
    assert {school.school_id for school in schools} <= set(ids)


@given(
    amount=st.integers(1, 10**11),
    method=st.sampled_from(list(AllocationMethod)),
    schools=schools_strategy(),
    needs_weights=needs_weights_strategy,
    proportions=proportions_strategy,
)
@settings(max_examples=300)
def test_recomputing_a_stored_allocation_gives_the_stored_shares(
    amount: int,
    method: AllocationMethod,
    schools: list[SchoolAllocationInputs],
    needs_weights: NeedsCriteriaWeights,
    proportions: CombinationProportions,
) -> None:
    uses_needs = method in {AllocationMethod.NEEDS_BASED, AllocationMethod.COMBINATION}
    event = SurplusAllocated(
        budget_id=UUID(int=7),
        provision_id="pbp-east",
        financial_year="2026-27",
        allocation_id=UUID(int=8),
        amount_pence=amount,
        method=method,
        needs_weights=needs_weights if uses_needs else None,
        proportions=proportions if method is AllocationMethod.COMBINATION else None,
        schools=tuple(schools),
        host_school_id=HOST,
        shares=allocate(
            amount,
            method,
            schools,
            HOST,
            needs_weights if uses_needs else None,
            proportions if method is AllocationMethod.COMBINATION else None,
        ),
    )
    # Anyone holding only the published JSON can recompute the same shares.
    published = SurplusAllocated.model_validate_json(event.model_dump_json())
    assert recompute(published) == event.shares
    assert recompute(event) == event.shares
