"""A governing board upholding an exclusion changes no reporting count (issue 16; STATUTORY.md: a permanent
exclusion counts once made and stops counting only if the board reinstates): neither incidents-topic projection
of reporting takes ``ExclusionUpheld``, while a reinstatement still folds."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_contracts.events.school_exclusions import ExclusionUpheld
from ap_reporting.projections import exclusion_reasons
from ap_reporting.projections.facts import folds
from ap_testing.reporting.events import Pupil

from .test_reporting_batch_fold import _received


def test_an_upheld_exclusion_is_folded_by_no_reporting_projection() -> None:
    pupil = Pupil("school-home-1", "partnership-1")
    excluded = pupil.excluded(date(2025, 3, 10))
    upheld = ExclusionUpheld(pupil_ref=pupil.pupil_ref, record_id=uuid4(), exclusion_record_id=excluded.record_id,
                             home_school_id=pupil.home_school_id, board_met_on=date(2025, 3, 20),
                             parents_told_of_independent_review=True)
    received = _received([excluded, upheld, pupil.reinstated(excluded)])
    assert len(folds(received)) == 2, "the exclusion and the reinstatement fold; the upheld decision does not"
    assert folds(received[1:2]) == []
    assert "ExclusionUpheld" not in exclusion_reasons._READ
