"""The behaviour log reads an old event version as its latest contract would mark it (PlacementStarted v1).

PlacementStarted v1 carried ``looked_after_by`` in clear; v2 seals it (read through the upcaster). The log keeps
payloads sealed as received, so a v1 entry's ``looked_after_by`` must land with the personal values (erased with
them, redacted for callers who may not see the pupil's identity), never in the clear facts or the summary.
"""

from __future__ import annotations

from ap_contracts.personal import RecordClass
from ap_incidents.projections.entry_fields import personal_since, read_personal_map, split_payload, summary

V1 = {"pupil_ref": "p-1", "record_id": "r-1", "placement_id": "pl-1", "provision_id": "prov-1",
      "start_date": "2025-01-13", "timetable": "full_time", "looked_after_by": "la-county"}


def test_a_v1_placements_looked_after_authority_is_personal_not_a_clear_fact() -> None:
    facts, personal = split_payload("PlacementStarted", 1, V1)
    assert "looked_after_by" not in facts
    assert personal["looked_after_by"] == "la-county"
    assert "la-county" not in summary("PlacementStarted", facts)
    assert read_personal_map("PlacementStarted", 1)["looked_after_by"] is not None


def test_a_v1_payload_without_the_field_gains_no_personal_value() -> None:
    without = {k: v for k, v in V1.items() if k != "looked_after_by"}
    facts, personal = split_payload("PlacementStarted", 1, without)
    assert "looked_after_by" not in facts and "looked_after_by" not in personal


def test_only_fields_sealed_since_are_added_and_the_latest_version_adds_none() -> None:
    assert set(personal_since("PlacementStarted", 1)) == {"looked_after_by"}
    assert personal_since("PlacementStarted", 2) == {}
    assert personal_since("IncidentRecorded", 1) == {}
    assert all(isinstance(c, RecordClass) for c in read_personal_map("PlacementStarted", 1).values())
