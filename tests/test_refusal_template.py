"""Every service's refusals fill in the one shared template (issue 10, "Copies" and "One error format").

A refusal declares its ``rule_id``, its ``kind``, its sentence ``says`` and the facts it names; the
sentence is filled in once, by ``ap_runtime.refusal.Refusal``. A sentence naming a fact the refusal does
not hold would only fail when the rule is broken, so every sentence is checked here against its facts.
"""

from __future__ import annotations

import dataclasses
import importlib
import string
from collections.abc import Iterator

import pytest

from ap_runtime.refusal import Refusal, RefusalKind
from tests.test_rule_ids import _import_layers

# (package whose domain and application layers declare refusals, module of their base, the base)
REFUSAL_BASES = (
    ("ap_finance", "ap_finance.domain.errors", "FinanceRuleViolation"),
    ("ap_commissioning", "ap_commissioning.domain.errors", "CommissioningRefused"),
    ("ap_notifications", "ap_notifications.domain.errors", "NotificationsRefused"),
    ("ap_reporting", "ap_reporting.domain.errors", "ReportingRuleViolation"),
    ("ap_incidents", "ap_incidents.domain.errors", "DomainError"),
    (None, "ap_runtime.school_days.errors", "CalendarRefused"),
)


def _subclasses(base: type) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _base(package: str | None, module: str, name: str) -> type:
    if package is not None:
        _import_layers(package)
    base: type = getattr(importlib.import_module(module), name)
    return base


@pytest.mark.parametrize(("package", "module", "name"), REFUSAL_BASES, ids=[base[2] for base in REFUSAL_BASES])
def test_every_refusal_fills_in_the_shared_template_and_names_only_facts_it_holds(
        package: str | None, module: str, name: str) -> None:
    base = _base(package, module, name)
    assert issubclass(base, Refusal), f"{name} does not use ap_runtime.refusal.Refusal"
    concrete = [cls for cls in set(_subclasses(base)) if "rule_id" in cls.__dict__]
    assert concrete, f"no refusal of {name} was found"
    for refusal in concrete:
        assert dataclasses.is_dataclass(refusal), refusal
        assert isinstance(refusal.kind, RefusalKind), refusal
        named = {field for _, field, _, _ in string.Formatter().parse(refusal.says) if field}
        held = {field.name for field in dataclasses.fields(refusal)} | {n for n in named if hasattr(refusal, n)}
        overrides = refusal.explain is not Refusal.explain
        assert refusal.says or overrides, f"{refusal.__name__} says nothing"
        assert named <= held, f"{refusal.__name__} names {named - held}, which it does not hold"
