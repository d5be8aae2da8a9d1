"""A pupil sent home for the rest of a day (issue 14; seed 002 appendices 2 and 3).

Rule served: sending a pupil home is not an exclusion (only a head teacher excludes; STATUTORY.md), so it is
recorded as what it is, an unauthorised absence from a session of a day of the placement, with its reason as a
code, and the attendance officer is told (the notifications service's ``pupil_sent_home`` rule). Recorded by the
provision's staff (policy DAY-3), for a day between the placement's start and today.
"""

from __future__ import annotations

from datetime import date

from ap_contracts.events.pupil_vocabulary import Session
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.events.sent_home import SentHomeReason, SentHomeRecorded
from ap_incidents.domain.commands import PlacementCommand
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.folding import entry_only
from ap_incidents.domain.guards import dated_placement_entry
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme


class RecordSentHome(PlacementCommand):
    sent_on: date
    from_session: Session
    reason: SentHomeReason
    collected_by_parent: bool


def record_sent_home(command: RecordSentHome, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """On an open placement, for a day between its start and today."""
    dated_placement_entry(command, state, context, command.sent_on, "a pupil sent home")
    return [SentHomeRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), placement_id=command.placement_id,
        sent_on=command.sent_on, from_session=command.from_session, reason=command.reason,
        collected_by_parent=command.collected_by_parent, rule_version=context.rules.version,
    )]


THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RecordSentHome, record_sent_home, "incidents.record_sent_home", (SentHomeRecorded,),
            "sent-home", "Record a pupil sent home (an unauthorised absence, not an exclusion)"),
    ),
    events={
        SentHomeRecorded: EventRule(entry_only, Correction(Corrector.PROVIDER, withdrawable=True)),
    },
)
