"""Processes that decide on clear fields only (the alert worker, the reporting projection, the
retention job) read every personal field as None, sealed or not, through one shared function
(issue 10, "Copies": three copies before)."""

from __future__ import annotations

from uuid import uuid4

from ap_contracts.events.pupil_vocabulary import KeyStage, SenStatus, YearGroup
from ap_contracts.events.pupils import PupilRegistered
from ap_contracts.personal import personal_fields
from ap_runtime.privacy.clear_fields import clear_event, clear_payload


def _sealed_registration() -> dict[str, object]:
    event = PupilRegistered(pupil_ref=uuid4(), record_id=uuid4(), home_school_id="h", display_name="Ada",
                            date_of_birth=None, sex="female", year_group=YearGroup.Y3, key_stage=KeyStage.KS2,
                            has_ehcp=False, sen_status=SenStatus.NONE, fsm_eligible=None, ethnicity=None,
                            looked_after=None)
    payload = event.model_dump(mode="json")
    return {k: (f"pd1:sealed-{k}" if k in personal_fields(PupilRegistered) else v) for k, v in payload.items()}


def test_every_personal_field_reads_none_and_every_clear_field_is_kept() -> None:
    sealed = _sealed_registration()
    event = clear_event("PupilRegistered", 1, {**sealed, "_trace": "x"})
    assert isinstance(event, PupilRegistered)
    personal = personal_fields(PupilRegistered)
    assert personal and all(getattr(event, name) is None for name in personal)
    assert event.home_school_id == "h" and event.key_stage is KeyStage.KS2
    assert "pd1:" not in event.model_dump_json()


def test_the_payload_form_keeps_every_key_and_clears_only_personal_ones() -> None:
    sealed = _sealed_registration()
    cleared = clear_payload("PupilRegistered", 1, sealed)
    assert set(cleared) == set(sealed)
    assert {k for k, v in cleared.items() if v != sealed[k]} == set(personal_fields(PupilRegistered))


def test_an_event_with_no_contract_here_is_none() -> None:
    assert clear_event("SomethingNobodyDeclared", 1, {"a": 1}) is None
