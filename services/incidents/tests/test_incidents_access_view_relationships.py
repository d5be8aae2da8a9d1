"""Who answers for a pupil, and until when: the access view folded from a pupil's stream (pure).

Rules served (issue 9): a correction is judged on the class of the stored entry it targets; a
provision or commissioner whose placements ended reads the record as it stood at the end of its own
placement, and a party to an active placement or the home school is not limited.
"""

from __future__ import annotations

from uuid import uuid4

from ap_contracts.personal import RecordClass
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.domain.entry_classes import entry_class_of

from .conftest import COMMISSIONER, HOME_SCHOOL, OTHER_PROVISION, PARTNERSHIP, PROVISION


def _placement(view: PupilAccessView, provision: str) -> str:
    placement_id = uuid4()
    view.apply("PlacementStarted", {"placement_id": placement_id, "provision_id": provision,
                                    "home_school_id": HOME_SCHOOL, "commissioner_id": COMMISSIONER,
                                    "partnership_id": PARTNERSHIP})
    return str(placement_id)


def test_a_placement_party_reads_up_to_the_end_of_its_latest_placement_and_the_home_school_everything() -> None:
    view = PupilAccessView(uuid4())
    view.apply("PupilRegistered", {"home_school_id": HOME_SCHOOL})
    first = _placement(view, PROVISION)
    assert view.readable_through(PROVISION) is None  # active
    view.apply("IncidentRecorded", {"record_id": uuid4(), "placement_id": first})
    view.apply("PlacementEnded", {"placement_id": first})
    assert view.readable_through(PROVISION) == 4 == view.readable_through(COMMISSIONER)
    _placement(view, OTHER_PROVISION)
    view.apply("AttendanceRecorded", {"record_id": uuid4()})
    assert view.readable_through(PROVISION) == 4
    assert view.readable_through(COMMISSIONER) is None  # commissions the active placement too
    assert view.readable_through(OTHER_PROVISION) is None and view.readable_through(HOME_SCHOOL) is None
    assert view.readable_through("provision-never-involved") is None  # the policy refuses it anyway
    own = view.placement_of(PROVISION)
    assert own is not None and str(own.placement_id) == first and not own.active
    assert view.copy().readable_through(PROVISION) == 4


def test_the_class_of_a_stored_entry_is_known_by_its_record_id() -> None:
    view = PupilAccessView(uuid4())
    concern, incident = uuid4(), uuid4()
    view.apply("SafeguardingConcernRaised", {"record_id": concern})
    view.apply("IncidentRecorded", {"record_id": incident})
    assert view.record_class_of(concern) is RecordClass.SAFEGUARDING
    assert view.record_class_of(incident) is None and view.record_class_of(uuid4()) is None


def test_a_correction_takes_the_class_of_the_entry_it_targets() -> None:
    assert entry_class_of("SafeguardingConcernRaised") is RecordClass.SAFEGUARDING
    for kind in ("RecordAmended", "RecordWithdrawnInError"):
        assert entry_class_of(kind, {"target_event_type": "SafeguardingConcernRaised"}) is RecordClass.SAFEGUARDING
        assert entry_class_of(kind, {"target_event_type": "IncidentRecorded"}) is None
    assert entry_class_of("IncidentRecorded", {"target_event_type": "SafeguardingConcernRaised"}) is None
