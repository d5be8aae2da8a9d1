"""Every finance refusal is one template filled in: its rule, its kind, its sentence and the facts it names.

Rule served: issue 10 (copies): the refusal classes declare their rule and their facts and nothing else;
the sentence is filled in once, by the base. A sentence naming a fact the refusal does not hold would
only fail when the rule is broken, so every sentence is checked here against its refusal's facts.
"""

from __future__ import annotations

import dataclasses
import pickle
import string
from uuid import UUID

from ap_finance.application.commands import CommandIdReused
from ap_finance.domain import errors


def _refusals() -> list[type[errors.FinanceRuleViolation]]:
    return [*errors.rule_catalogue().values(), CommandIdReused]


def test_every_refusal_declares_its_facts_and_its_sentence_names_only_those() -> None:
    for refusal in _refusals():
        assert dataclasses.is_dataclass(refusal), refusal
        facts = {field.name for field in dataclasses.fields(refusal)}
        named = {name for _, name, _, _ in string.Formatter().parse(refusal.says) if name}
        facts |= {name for name in named if hasattr(refusal, name)}  # a class value, such as `item`
        overrides = refusal.explain is not errors.FinanceRuleViolation.explain
        assert refusal.says or overrides, f"{refusal.__name__} says nothing"
        assert named <= facts, f"{refusal.__name__} names {named - facts}, which it does not hold"


def test_a_refusal_keeps_its_facts_and_writes_pence_as_pounds() -> None:
    refused = errors.BudgetLinesExceedFunding("High Needs block", 1_250_000, 1_000_000)

    assert (refused.funding_source, refused.lines_pence, refused.funding_pence) == (
        "High Needs block", 1_250_000, 1_000_000)
    assert refused.message == ("lines funded from High Needs block would total £12,500.00, "
                               "more than the £10,000.00 that source provides")
    assert str(refused) == f"budget.lines_within_funding: {refused.message}"


def test_refusals_compare_by_identity_as_other_exceptions_do() -> None:
    commitment = UUID(int=7)
    first, second = errors.UnknownCommitment(commitment), errors.UnknownCommitment(commitment)

    assert first != second and len({first, second}) == 2
    assert first.commitment_id == commitment


def test_a_refusal_survives_a_copy_with_its_facts() -> None:
    refused = errors.SameSignerTwice("user-7")

    copied = pickle.loads(pickle.dumps(refused))

    assert (type(copied), copied.signer_user_id, str(copied)) == (errors.SameSignerTwice, "user-7", str(refused))
