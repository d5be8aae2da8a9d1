"""An alert the rules decided to send: to whom, about which pupil, why, and where to read more.

Alerts carry no narrative and no names (STATUTORY.md, data protection: keep what each audience
needs and no more): the pseudonymous ``pupil_ref``, the kind of event, how urgent it is, and a
link path into the platform, where the reader's own access rights decide what they may see.
Recipients are organisations in a role (the home school, the commissioner, a DSL), never people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from ap_contracts.events.notifications import Audience, ThresholdContext


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Alert:
    rule_name: str
    audience: Audience
    recipient_organisation_id: str
    pupil_ref: UUID | None  # None: an alert about no pupil (an agreement's overdue review, issue 13)
    cause_event_id: UUID
    cause_event_type: str
    template_id: str
    priority: Priority
    link_path: str
    threshold: ThresholdContext | None = None
    incident_severity: int | None = None
    # Labelled identifiers and codes the message lists (never narrative): who read a record by break-glass.
    details: tuple[tuple[str, str], ...] = ()
