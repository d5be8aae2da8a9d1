"""What ``decide`` needs besides the command and the pupil record: who acts, when, and under which rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ap_incidents.domain.caller import Caller
from ap_incidents.domain.organisations import NO_ORGANISATIONS, OrganisationDirectory
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.staff_register import StaffRegister
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars

SCHOOL_TIME_ZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """Facts from the caller's side of a decision.

    ``staff_register`` is the register of the provision the command is about (the application
    loads stream ``provision-<id>``); it is needed only to record a physical intervention, and
    an absent register means nobody is recorded as trained. ``organisations`` holds the registered
    facts of the organisations the command concerns (home school, provision, named commissioner or
    destination school), loaded from the register of organisations. ``stream_version`` is the version of
    the pupil's stream the decision is made on (the application passes the length of the history it
    loaded); a subject access release covers the stream up to it. ``calendars`` are the school calendars
    (term dates, INSET days, bank holidays) the day-counting rules use.
    """

    caller: Caller
    now: datetime
    rules: RuleBook = DEFAULT_RULES
    staff_register: StaffRegister | None = None
    organisations: OrganisationDirectory = NO_ORGANISATIONS
    stream_version: int = 0
    # Issue 13: the school calendars rules count school days with, as recorded through the register of
    # organisations (the application loads them for the commands that count school days).
    calendars: SchoolCalendars = NO_CALENDARS

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("DecisionContext.now must be timezone-aware")

    @property
    def today(self) -> date:
        """Today's date in England, where schools keep their registers."""
        return self.now.astimezone(SCHOOL_TIME_ZONE).date()
