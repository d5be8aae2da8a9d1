"""Quiet hours (issue 14): some audiences (parents, by default) are not messaged at night except for urgent matters.

Rule served: ``schedule.quiet_hours``: a message for an audience the rule book names, of a priority that is not
exempt, recorded during quiet hours (local time, e.g. 21:00 to 07:00) is held and sent once when they end.
The hours, the zone, the audiences and the exempt priorities are data (``DeliverySchedule``), never constants.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Priority


class QuietHours(BaseModel):
    """From ``start`` to ``end`` local time (crossing midnight when ``end`` is earlier than ``start``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = time(21, 0)
    end: time = time(7, 0)
    zone: str = Field(default="Europe/London", min_length=1)
    audiences: frozenset[Audience] = frozenset({Audience.PARENT})
    exempt_priorities: frozenset[Priority] = frozenset({Priority.URGENT})

    @model_validator(mode="after")
    def _a_real_period_in_a_known_zone(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours: start and end are the same time; leave quiet hours out instead")
        ZoneInfo(self.zone)  # an unknown zone fails here, naming it
        return self

    def applies_to(self, audience: Audience, priority: Priority) -> bool:
        return audience in self.audiences and priority not in self.exempt_priorities

    def holds(self, at: datetime) -> bool:
        """Whether ``at`` (an aware time) falls in quiet hours."""
        local = at.astimezone(ZoneInfo(self.zone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, at: datetime) -> datetime:
        """The first end of quiet hours after ``at``, as an aware time (local wall clock, DST included)."""
        zone = ZoneInfo(self.zone)
        local = at.astimezone(zone)
        candidate = datetime.combine(local.date(), self.end, tzinfo=zone)
        while candidate <= local:
            candidate = datetime.combine(candidate.date() + timedelta(days=1), self.end, tzinfo=zone)
        return candidate
