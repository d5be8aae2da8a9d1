"""What kind of refusal a domain error is, and the one template every service's refusals fill in.

Rule served (issue 10, "One error format" and "Copies"): domain errors name their rule and their kind, and
know nothing of HTTP. The edge maps each kind to a status in one table (``ap_runtime.http.problems``);
the Kafka command channel reports the same status, from the same table.

A refusal class declares only its ``rule_id``, its ``kind``, its sentence ``says`` and the facts the
sentence names, as annotated fields. ``Refusal`` makes each subclass a dataclass, so
``BudgetAlreadySet("2025-26")`` is typed and its facts stay readable (``.financial_year``); the sentence is
filled in once, here. ``{field:£}`` writes pence as pounds. A sentence may name a property of the refusal
for wording derived from its facts; a refusal whose sentence depends on its facts in other ways overrides
``explain``.
"""

from __future__ import annotations

import dataclasses
import string
from enum import StrEnum
from typing import Any, ClassVar, dataclass_transform

from ap_contracts.money import format_pounds


class RefusalKind(StrEnum):
    """Why a command was refused; the value is the slug of its problem ``type``."""

    BREAKS_RULE = "rule-broken"
    """The request itself breaks a rule, whatever is recorded."""
    CONFLICTS_WITH_RECORD = "conflict"
    """The request conflicts with what the record already holds."""
    RESERVED_TO_ANOTHER_PARTY = "reserved-to-another-party"
    """The rule reserves the act to a named party (the home school head, the receiving DSL, ...)."""
    NOT_FOUND = "not-found"
    """The request names something that was never recorded."""


class _RefusalWords(string.Formatter):
    """``str.format`` plus one format: ``{amount_pence:£}`` writes an amount of pence in pounds."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "£":
            return format_pounds(int(value))
        return format(value, format_spec)


_WORDS = _RefusalWords()


@dataclass_transform(eq_default=False)
class Refusal(Exception):
    """Base of every refusal: its rule id, its kind and its sentence filled with its facts."""

    rule_id: ClassVar[str]
    kind: ClassVar[RefusalKind]
    says: ClassVar[str] = ""
    __dataclass_fields__: ClassVar[dict[str, Any]]  # each subclass's facts, in order (set by ``dataclass``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # eq=False keeps exceptions hashable and compared by identity, as every other exception is.
        dataclasses.dataclass(eq=False)(cls)

    def __post_init__(self) -> None:
        super().__init__(f"{self.rule_id}: {self.message}")

    def __reduce__(self) -> tuple[type[Refusal], tuple[Any, ...]]:
        # An exception is rebuilt from its ``args`` by default; a refusal is rebuilt from its facts.
        return type(self), tuple(getattr(self, name) for name in self.__dataclass_fields__)

    @property
    def message(self) -> str:
        """The refusal in words, without its rule id (the problem's ``detail``)."""
        return self.explain()

    def explain(self) -> str:
        """The refusal in words: ``says`` with this refusal's facts (fields, properties or class values) in
        place of its ``{names}``."""
        named = {name for _, name, _, _ in _WORDS.parse(self.says) if name}
        return _WORDS.format(self.says, **{name: getattr(self, name) for name in named})
