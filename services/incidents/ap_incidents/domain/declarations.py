"""Every incidents command declared once, by theme: ``THEMES`` lists the modules, everything else is derived.

Rule served: "a command is declared once and the rest is derived" (issue 10, STYLE.md, as cosmicpython's
bootstrap derives its tables from one handler map). Each theme module (``domain/themes/``, and the
registers beside the pupil's record) exports one ``THEME``: per command its model, decider, access action
id, the events it may emit and its route; per event its fold and its correction rule. From ``THEMES`` come
``decide``'s dispatch table (``handlers``), ``evolve``'s fold table (``EVENT_RULES``), the correction
policy by event type (``CORRECTIONS``) and the ``CommandSpec`` catalogue of ``application/catalogue.py``
(HTTP route, Kafka ``command_type``, action checked). The action ids are the access policy's vocabulary
(``policy.yaml``); ``services/incidents/tests/test_incidents_declarations.py`` checks that the two agree
and that nothing is declared half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ap_contracts.events.base import DomainEvent
from ap_incidents.domain import organisations, staff_register
from ap_incidents.domain.correction_policy import Correction
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme
from ap_incidents.domain.themes import (
    corrections,
    daily,
    eligibility,
    engagement,
    exclusion_proposals,
    exclusions,
    placement_end,
    placement_start,
    privacy,
    referral,
    registration,
    reviews,
    rewards,
    safety,
    searches,
    sent_home,
    transfers,
)

__all__ = ["CORRECTIONS", "DECLARATIONS", "EVENT_RULES", "THEMES", "CommandDeclaration", "handlers"]

# In the order of a pupil's path; a new theme module is added here and nowhere else.
THEMES: tuple[Theme, ...] = (
    registration.THEME,
    transfers.THEME,
    referral.THEME,
    eligibility.THEME,
    placement_start.THEME,
    daily.THEME,
    rewards.THEME,
    engagement.THEME,
    safety.THEME,
    searches.THEME,
    sent_home.THEME,
    reviews.THEME,
    exclusion_proposals.THEME,
    exclusions.THEME,
    placement_end.THEME,
    corrections.THEME,
    privacy.THEME,
    staff_register.THEME,
    organisations.THEME,
)

DECLARATIONS: tuple[CommandDeclaration, ...] = tuple(d for theme in THEMES for d in theme.declarations)

# Every event of the pupil's stream the fold knows, with its correction rule. An event two themes claim is
# an error of declaration (the test names both), not something the later theme silently wins.
EVENT_RULES: Mapping[type[DomainEvent], EventRule] = MappingProxyType(
    {event: rule for theme in THEMES for event, rule in theme.events.items()})

CORRECTIONS: Mapping[str, Correction] = MappingProxyType(
    {event.event_type: rule.correction for event, rule in EVENT_RULES.items()})


def handlers() -> dict[type, Callable[..., Any]]:
    """The pupil deciders by command model: ``decide``'s dispatch table."""
    return {d.model: d.decider for d in DECLARATIONS if d.decides_on_pupil_record}
