"""What every commissioning decider receives besides the command and the state: who acts and on what day.

Rule served (STYLE.md: decisions receive clock and caller through one context object). The caller comes from
the verified token only; a command body never names who acts or for which party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ap_contracts.envelope import OrgKind, StrictModel
from ap_runtime.school_days import EXAMPLE_DEMO_CALENDAR, SchoolCalendar


@dataclass(frozen=True, slots=True)
class DecisionContext:
    user_id: str
    organisation_id: str
    today: date
    organisation_kind: OrgKind | None = None
    """the caller's kind of organisation, from the token (who may refer to a service of the continuum)"""
    calendar: SchoolCalendar = EXAMPLE_DEMO_CALENDAR
    """the LA calendar school days are counted with (panels' waits and decisions). The command handler always
    passes the LA's recorded one (``application/calendars.py``); the example default serves pure unit tests"""

    @property
    def counted_with(self) -> str:
        """Names the calendar on the events it counted, marking the packaged example as such."""
        return counted_with(self.calendar)


def counted_with(calendar: SchoolCalendar) -> str:
    """Names a calendar on what it counted, marking the packaged example as such."""
    return f"{calendar.area_id} (example)" if calendar.example else calendar.area_id


class CommissioningCommand(StrictModel):
    """Base of every commissioning command: the client's id makes a retry answer the first outcome."""

    command_id: UUID
