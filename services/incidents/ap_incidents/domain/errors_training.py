"""Refusals of the provision's staff training register (issue 13, training that gates what staff may do)."""

from __future__ import annotations

from ap_incidents.domain.errors_base import InvalidCommand


class TrainingExpiryMissing(InvalidCommand):
    """Training that is refreshed (the behaviour approach, de-escalation) is recorded with the day it lapses, so an
    out-of-date training stops counting by itself."""

    rule_id = "training.expiry_recorded"


class TrainingProgrammeMissing(InvalidCommand):
    """The behaviour approach (Steps or the LA's equivalent) and a CPD course are recorded with their name."""

    rule_id = "training.programme_named"
