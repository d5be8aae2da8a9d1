"""A suspension the governing board reinstated still counts (issue 16 follow-up; STATUTORY.md: DfE statistics
uncount only a reinstated permanent exclusion, and the pupil was out of school until the board met): neither
incidents-topic projection of reporting takes ``SuspensionReinstated``, so the suspension's count, days and
reasons stay as issued."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_contracts.events.school_exclusions import SuspensionReinstated
from ap_reporting.projections import exclusion_reasons
from ap_reporting.projections.facts import folds
from ap_testing.reporting.events import Pupil

from .test_reporting_batch_fold import _received


def test_a_reinstated_suspension_is_folded_by_no_reporting_projection() -> None:
    pupil = Pupil("school-home-1", "partnership-1")
    suspended = pupil.suspended(date(2025, 3, 10), 32)
    reinstated = SuspensionReinstated(pupil_ref=pupil.pupil_ref, record_id=uuid4(),
                                      exclusion_record_id=suspended.record_id, home_school_id=pupil.home_school_id,
                                      board_met_on=date(2025, 3, 24), reasons="Procedure not followed")
    received = _received([suspended, reinstated])
    assert len(folds(received)) == 1, "the suspension folds; its reinstatement changes no count"
    assert folds(received[1:]) == []
    assert "SuspensionReinstated" not in exclusion_reasons._READ
    assert "SuspensionIssued" in exclusion_reasons._READ
