"""The shared refusal template (``ap_runtime.refusal.Refusal``): a refusal declares its rule, its kind, its
sentence and its facts; the base fills the sentence in once (issue 10, "One error format" and "Copies")."""

from __future__ import annotations

import dataclasses
import pickle
from typing import ClassVar

from ap_runtime.refusal import Refusal, RefusalKind


class _OverBudget(Refusal):
    rule_id = "example.within_budget"
    kind = RefusalKind.BREAKS_RULE
    says = "{item} would cost {cost_pence:£}, more than the {left_pence:£} left"
    item: str
    cost_pence: int
    left_pence: int


class _RolesRepeated(Refusal):
    rule_id = "example.each_role_once"
    kind = RefusalKind.BREAKS_RULE
    says = "steps: each role once; repeated: {repeated}"
    steps: list[str]

    @property
    def repeated(self) -> str:
        return ", ".join(sorted({step for step in self.steps if self.steps.count(step) > 1}))


class _BadInput(Refusal, ValueError):
    """A refusal that is also a ``ValueError`` (so pydantic reports it as bad input), as the calendar's are."""

    rule_id = "example.bad_input"
    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE
    says = "{what!r} is not an input"
    what: str


def test_a_refusal_is_a_dataclass_of_its_facts_with_its_sentence_filled_in_and_pence_as_pounds() -> None:
    refused = _OverBudget("minibus", 1_250_000, 1_000_000)

    assert [field.name for field in dataclasses.fields(refused)] == ["item", "cost_pence", "left_pence"]
    assert refused.message == "minibus would cost £12,500.00, more than the £10,000.00 left"
    assert str(refused) == f"example.within_budget: {refused.message}"
    assert (refused.rule_id, refused.kind) == ("example.within_budget", RefusalKind.BREAKS_RULE)


def test_a_sentence_may_name_wording_derived_from_the_facts() -> None:
    assert _RolesRepeated(["head", "dsl", "head"]).message == "steps: each role once; repeated: head"


def test_refusals_compare_by_identity_and_survive_a_copy_with_their_facts() -> None:
    first, second = _OverBudget("minibus", 2, 1), _OverBudget("minibus", 2, 1)
    assert first != second and len({first, second}) == 2

    copied = pickle.loads(pickle.dumps(first))

    assert (type(copied), copied.item, copied.cost_pence, str(copied)) == (_OverBudget, "minibus", 2, str(first))


def test_a_refusal_may_also_be_a_value_error() -> None:
    refused = _BadInput("x")

    assert isinstance(refused, ValueError)
    assert str(refused) == "example.bad_input: 'x' is not an input"
