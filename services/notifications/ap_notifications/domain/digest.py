"""When a recorded alert is delivered (issue 14): at once, held for quiet hours, or in a daily digest.

Rules served:
- ``schedule.digest``: alerts of the priorities the schedule names (normal and info by default) are not sent one
  by one but gathered into one daily digest per recipient (organisation, audience), sent at a time of day that
  is data. Each alert belongs to exactly one digest: the first one due after it was recorded (a digest already
  closed passes it to the next day's, ``adapters/held_messages.py``).
- ``schedule.urgent_at_once``: urgent alerts, and any priority the schedule does not digest, go at once, except
  that ``schedule.quiet_hours`` (``domain/quiet_hours.py``) holds a message for a quiet audience until the end.
A digest due in the quiet hours of its audience waits for their end too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.quiet_hours import QuietHours

DIGEST_NAMESPACE = UUID("a3f4c1de-2b7e-4f51-9d0c-6e8b1f2a7c55")


class DeliverySchedule(BaseModel):
    """The digest and quiet-hours rule book; change ``version`` whenever a value changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(default="schedule-2026.2", min_length=1, max_length=60)
    digest_time: time = time(16, 0)  # after the school day, when the day's alerts are known
    zone: str = Field(default="Europe/London", min_length=1)
    digest_priorities: frozenset[Priority] = frozenset({Priority.NORMAL, Priority.INFO})
    quiet_hours: QuietHours | None = QuietHours()
    # A digest or held message that fails this many checks in a row (an hour, at one check each 5 minutes) is
    # given up rather than tried for ever; each failure of a held alert is recorded as NotificationDeliveryFailed.
    delivery_attempts: int = Field(default=12, ge=1)
    # Minutes to wait after the first, second, ... failed attempt of a message (its last value thereafter):
    # an alert that could not be sent at once is tried again by the periodic check (``domain/delivery_retry.py``).
    retry_backoff_minutes: tuple[Annotated[int, Field(ge=1)], ...] = Field(default=(1, 2, 4, 8, 16, 32, 60),
                                                                         min_length=1)


class Timing(StrEnum):
    NOW = "now"
    HELD = "held"  # quiet hours: sent alone when they end
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class WhenToDeliver:
    timing: Timing
    due_at: datetime | None = None


def next_digest_at(schedule: DeliverySchedule, audience: Audience, after: datetime) -> datetime:
    """The first digest time strictly after ``after``, moved to the end of quiet hours for a quiet audience."""
    zone = ZoneInfo(schedule.zone)
    local = after.astimezone(zone)
    due = datetime.combine(local.date(), schedule.digest_time, tzinfo=zone)
    while due <= local:
        due = datetime.combine(due.date() + timedelta(days=1), schedule.digest_time, tzinfo=zone)
    quiet = schedule.quiet_hours
    if quiet is not None and audience in quiet.audiences and quiet.holds(due):
        due = quiet.end_after(due)
    return due


def when_to_deliver(schedule: DeliverySchedule | None, audience: Audience, priority: Priority,
                    recorded_at: datetime) -> WhenToDeliver:
    """At once, held until quiet hours end, or in the next digest (no schedule: everything at once)."""
    if schedule is None:
        return WhenToDeliver(Timing.NOW)
    if priority in schedule.digest_priorities:
        return WhenToDeliver(Timing.DIGEST, next_digest_at(schedule, audience, recorded_at))
    quiet = schedule.quiet_hours
    if quiet is not None and quiet.applies_to(audience, priority) and quiet.holds(recorded_at):
        return WhenToDeliver(Timing.HELD, quiet.end_after(recorded_at))
    return WhenToDeliver(Timing.NOW)


def digest_id(recipient_organisation_id: str, audience: Audience, due_at: datetime) -> UUID:
    """One digest per recipient and due time: the same inputs always name the same digest (and its message)."""
    return uuid5(DIGEST_NAMESPACE, f"{recipient_organisation_id}|{audience.value}|{due_at.astimezone(UTC).isoformat()}")
