"""What the alert rules know about one placement: who is responsible and the thresholds agreed.

Thresholds are agreed per placement by provider and commissioner and change over time
(``PlacementStarted``, then ``AlertThresholdsAgreed``). An event is judged against the thresholds
in force on the day it happened, not the ones in force when the worker reads it, so a late record
of an old incident is compared with the threshold of its own day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ap_contracts.events.notifications import Audience
from ap_contracts.events.pupil_vocabulary import Severity


@dataclass(frozen=True, slots=True)
class Thresholds:
    incident_severity: Severity
    attendance_percent: int | None  # None: the placement agreed none; the SLA in force applies


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    """Thresholds agreed to apply from ``effective_from``; ``seq`` orders changes of the same day."""

    effective_from: date
    seq: int
    thresholds: Thresholds


def thresholds_in_force(history: Sequence[ThresholdChange], on: date) -> Thresholds | None:
    """The thresholds agreed most recently on or before ``on``.

    A day before the first agreement (a record dated before the start, which the incidents service
    should refuse) is judged by the first agreement: an alert is better than silence.
    """
    if not history:
        return None
    ordered = sorted(history, key=lambda c: (c.effective_from, c.seq))
    in_force = [c for c in ordered if c.effective_from <= on]
    return (in_force[-1] if in_force else ordered[0]).thresholds


def attendance_threshold(agreed: Thresholds | None, sla_percent: int | None) -> int | None:
    """The attendance percentage a placement's marks are judged against (issue 13): the placement's own when it
    agreed one, else the attendance threshold of the service level agreement in force between its provision and
    commissioner on the day of the mark (``sla_percent``); None when neither agreed one.

    The placement's own wins: the provider and the commissioner agreed it for this pupil, within the agreement
    and later than it, so it is the more specific of the two (seed 001 section 6: thresholds per placement)."""
    if agreed is not None and agreed.attendance_percent is not None:
        return agreed.attendance_percent
    return sla_percent


@dataclass(frozen=True, slots=True)
class ReducedTimetable:
    """A reduced timetable's next review, and the event that set that date (the alert's cause)."""

    review_date: date
    set_by_event_id: UUID
    overdue_alerted: bool = False


@dataclass(frozen=True, slots=True)
class PlacementTerms:
    placement_id: UUID
    pupil_ref: UUID
    provision_id: str
    home_school_id: str
    commissioner_id: str
    partnership_id: str
    thresholds: tuple[ThresholdChange, ...]
    reduced_timetable: ReducedTimetable | None = None
    attendance_below: bool = False
    ended: bool = False
    # The local authority the home school belongs to (its ``OrganisationRegistered``); None until registered.
    local_authority_id: str | None = None
    # Issue 14: a looked-after child's placement names the local authority looking after the child
    # (``PlacementStarted.looked_after_by``); its virtual school head is told of suspensions and exclusions.
    looked_after_by: str | None = None

    def recipients(self, audience: Audience) -> tuple[str, ...]:
        """Organisations that receive an alert for ``audience`` about this placement.

        DSL alerts go to both designated safeguarding leads responsible for the pupil: the
        provision's, where the pupil is, and the home school's, which keeps safeguarding
        responsibility (KCSIE). Parents are reached through their child's home school, which holds
        their contact details; the platform keeps none in clear. The LA is the home school's local authority
        (issue 14: exclusions and the statutory suspension points are told to it); while the home school's
        registration is unknown nobody receives the LA's alert, and an LA that commissioned the placement
        hears once, as commissioner (``decide_alerts``). The attendance officer is the LA's too. The virtual school
        head is the one of the local authority looking after the child, for a looked-after child only.
        """
        by_audience: dict[Audience, tuple[str, ...]] = {
            Audience.HOME_SCHOOL: (self.home_school_id,),
            Audience.COMMISSIONER: (self.commissioner_id,),
            Audience.DSL: tuple(dict.fromkeys((self.provision_id, self.home_school_id))),
            Audience.PARENT: (self.home_school_id,),
            Audience.LA: () if self.local_authority_id is None else (self.local_authority_id,),
            Audience.ATTENDANCE_OFFICER: () if self.local_authority_id is None else (self.local_authority_id,),
            Audience.VIRTUAL_SCHOOL_HEAD: () if self.looked_after_by is None else (self.looked_after_by,),
        }
        return by_audience.get(audience, ())
