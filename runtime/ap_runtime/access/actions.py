"""One action of the access vocabulary, as ``policy.yaml``'s ``actions:`` section lists it.

Rule served: one vocabulary, one owner (issue 10). The ids, their summaries and whether they only read
are data in ``policy.yaml``, loaded and validated with the rules by ``ap_runtime.access.policy`` (a rule
naming an id the list lacks, an action with no summary and a duplicate id are refused at load). Services
name the ids they use as plain strings in their own declarations and check them against the loaded
policy at start-up (``Policy.check_known``), so a typo fails fast rather than as a denial at run time.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

ACTION_ID_PATTERN = r"^[a-z]+\.[a-z_]+$"
"""``<service>.<verb>_<object>``, lower case."""


class ActionSpec(BaseModel):
    """One action: its id, a human phrase for denial reasons, and whether it only reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ACTION_ID_PATTERN)
    # A denial reads "<roles> may not <summary>": a blank summary would make the reason meaningless.
    summary: str = Field(min_length=1, pattern=r"\S")
    reads: bool = False

    @property
    def service(self) -> str:
        return self.id.split(".", 1)[0]


class UnknownAction(LookupError):
    """An action id the loaded access policy does not list."""

    def __init__(self, action_id: str, source: str) -> None:
        super().__init__(f"unknown action {action_id!r}: the access policy {source} does not list it under actions")
        self.action_id = action_id


def unknown_ids(known: Iterable[str], used: Iterable[str]) -> list[str]:
    """The ids of ``used`` that ``known`` lacks, sorted (for one message naming them all)."""
    listed = set(known)
    return sorted({action_id for action_id in used if action_id not in listed})

