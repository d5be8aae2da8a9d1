"""Sharing a closed year's surplus between the Partnership's schools: the questions and the shares shown first.

Rule served (issue 16): the shares are shown before they are confirmed. They are computed by the finance
domain's own ``allocate`` (the function the service decides with, imported, not copied), and the command
carries them as ``proposed_shares``: the service refuses an allocation whose shares differ from what its
method gives (rule allocation.recomputable), so what the Partnership's lead confirmed is exactly what is
recorded, or nothing is.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from ap_contracts.events.finance import (
    AllocationMethod,
    CombinationProportions,
    NeedsCriteriaWeights,
    SchoolAllocationInputs,
)
from ap_finance.domain.allocation import allocate
from ap_web.journeys.finance_forms import METHOD_WORDS, amount_error, pence_of
from ap_web.refusals import FieldError

SCHOOL_ROWS = 6
SCHOOL_INPUTS = (("pupil_roll", "Pupils on roll"), ("deprivation_index", "Deprivation index"),
                 ("pupil_premium_count", "Pupil premium"), ("free_school_meals_count", "Free school meals"),
                 ("send_count", "Pupils with SEND"))
WEIGHTS = (("pupil_roll", "Pupils on roll", "0.30"), ("deprivation_index", "Deprivation", "0.20"),
           ("pupil_premium", "Pupil premium", "0.20"), ("free_school_meals", "Free school meals", "0.15"),
           ("send", "SEND", "0.15"))
PROPORTIONS = (("needs_based", "By need", "50"), ("equity_based", "Equal shares", "30"),
               ("strategic_plan", "Strategic plan", "20"))


def form_layout() -> dict[str, Any]:
    """What the allocation's question page asks, for its template."""
    return {"rows": SCHOOL_ROWS, "inputs": SCHOOL_INPUTS, "weights": WEIGHTS, "proportions": PROPORTIONS}


def blank_answers() -> dict[str, Any]:
    """A new allocation's answers: the seed's weights and proportions offered, nothing else."""
    answers: dict[str, Any] = {"method": "", "amount": ""}
    answers.update({f"weight_{name}": default for name, _, default in WEIGHTS})
    answers.update({f"proportion_{name}": default for name, _, default in PROPORTIONS})
    return answers


def answers_from(form: Mapping[str, Any]) -> dict[str, Any]:
    names = ["method", "amount", *(f"weight_{n}" for n, _, _ in WEIGHTS),
             *(f"proportion_{n}" for n, _, _ in PROPORTIONS)]
    names += [f"school_{row}_{name}" for row in range(1, SCHOOL_ROWS + 1) for name in ("id", *dict(SCHOOL_INPUTS))]
    return {name: str(form.get(name, "")).strip() for name in names}


def _schools(answers: Mapping[str, Any], errors: list[FieldError]) -> list[SchoolAllocationInputs]:
    schools: list[SchoolAllocationInputs] = []
    for row in range(1, SCHOOL_ROWS + 1):
        school_id = str(answers.get(f"school_{row}_id", ""))
        if not school_id:
            continue
        try:
            schools.append(SchoolAllocationInputs(school_id=school_id, **{
                name: answers.get(f"school_{row}_{name}") or "0" for name, _ in SCHOOL_INPUTS}))
        except ValidationError:
            errors.append(FieldError(f"school_{row}_id", f"Enter school {row}'s figures as whole numbers (the "
                                                         "deprivation index as a decimal, for example 0.28)"))
    return schools


def _decimals(answers: Mapping[str, Any], prefix: str, names: tuple[tuple[str, str, str], ...],
              errors: list[FieldError]) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for name, label, _ in names:
        try:
            values[name] = Decimal(str(answers.get(f"{prefix}_{name}", "")))
        except InvalidOperation:
            errors.append(FieldError(f"{prefix}_{name}", f"Enter the {prefix} for {label.lower()} as a number"))
    return values


def check_allocation(answers: Mapping[str, Any]) -> list[FieldError]:
    """Every problem with the answers (empty when the shares can be computed and shown)."""
    errors: list[FieldError] = []
    if answers.get("method") not in METHOD_WORDS:
        errors.append(FieldError("method", "Select how the surplus is shared"))
    problem = amount_error(answers)
    if problem:
        errors.append(problem)
    _decimals(answers, "weight", WEIGHTS, errors)
    _decimals(answers, "proportion", PROPORTIONS, errors)
    schools = _schools(answers, errors)
    if not schools and answers.get("method") != AllocationMethod.STRATEGIC_PLAN:
        errors.append(FieldError("school_1_id", "Enter at least one school taking a share"))
    return errors


def _computed(answers: Mapping[str, Any], host_school_id: str) -> dict[str, Any]:
    """The allocation the answers define, with the shares its method gives (``ValueError`` when it gives none)."""
    errors: list[FieldError] = []
    method = AllocationMethod(str(answers["method"]))
    schools = _schools(answers, errors)
    weights = NeedsCriteriaWeights(**_decimals(answers, "weight", WEIGHTS, errors)) \
        if method in (AllocationMethod.NEEDS_BASED, AllocationMethod.COMBINATION) else None
    proportions = CombinationProportions(**_decimals(answers, "proportion", PROPORTIONS, errors)) \
        if method is AllocationMethod.COMBINATION else None
    amount = pence_of(str(answers["amount"])) or 0
    shares = allocate(amount, method, schools, host_school_id, needs_weights=weights, proportions=proportions)
    return {
        "method": method.value, "schools": [school.model_dump(mode="json") for school in schools],
        "amount_pence": amount, "needs_weights": weights.model_dump(mode="json") if weights else None,
        "proportions": proportions.model_dump(mode="json") if proportions else None,
        "proposed_shares": [share.model_dump(mode="json") for share in shares],
    }


def command_body(answers: Mapping[str, Any], host_school_id: str) -> dict[str, Any]:
    """The AllocateSurplus body from checked answers, with the shares shown as ``proposed_shares``."""
    return {"command_id": answers["command_id"], "allocation_id": answers["allocation_id"],
            **_computed(answers, host_school_id)}


def shares_shown(answers: Mapping[str, Any], host_school_id: str) -> tuple[list[dict[str, Any]], FieldError | None]:
    """Each school's share as the check page shows it, or the reason the method cannot share the amount."""
    try:
        computed = _computed(answers, host_school_id)
    except (ValueError, ZeroDivisionError) as error:
        return [], FieldError("method", f"The surplus cannot be shared this way: {error}")
    return list(computed["proposed_shares"]), None
