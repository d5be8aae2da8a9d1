"""evolve, idempotency, dispatch completeness, the record index and the staff register."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

import ap_contracts.events.catalogue  # noqa: F401
from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import registered_events
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.provision_staff import StaffTrainingRecorded, StaffTrainingRevoked
from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.upcasting import UPCASTERS
from ap_incidents.domain import command_models as commands
from ap_incidents.domain import commands as bases
from ap_incidents.domain import errors
from ap_incidents.domain.caller import Caller
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import HANDLERS
from ap_incidents.domain.declarations import THEMES
from ap_incidents.domain.evolve import evolve, fold, folds
from ap_incidents.domain.identity import provision_stream_id, pupil_stream_id, record_id_for
from ap_incidents.domain.record_index import RecordIndex
from ap_incidents.domain.staff_register import StaffRegister, decide_register, evolve_register
from ap_incidents.domain.state import PupilRecord
from ap_runtime.refusal import RefusalKind


def test_every_pupil_event_has_an_evolve_step():
    # An older schema version is upcast to the latest before it is folded (ap_contracts.upcasting), so each event
    # type's latest version is the one that needs a step; every older one must have an upcaster.
    pupil_events = [(key, cls) for key, cls in registered_events().items() if issubclass(cls, PupilEvent)]
    latest: dict[str, int] = {}
    for (event_type, version), _ in pupil_events:
        latest[event_type] = max(version, latest.get(event_type, 0))
    missing = {cls.event_type for (_, version), cls in pupil_events if version == latest[cls.event_type]
               and not folds(cls)}
    assert missing == set()
    not_upcast = {(t, v) for (t, v), _ in pupil_events if v < latest[t] and not UPCASTERS.has_upcaster(t, v)}
    assert not_upcast == set()


def test_every_pupil_command_has_a_decision():
    # Every command model a theme module defines on the pupil's record (the registers beside it have their own).
    declared = {value for theme in THEMES for value in vars(sys.modules[theme.module]).values()
                if isinstance(value, type) and issubclass(value, bases.PupilCommand)
                and value.__module__ == theme.module}
    assert set(HANDLERS) == declared


def test_a_retried_command_records_nothing_new(story):
    story.placed()
    command = story.cmd.grant_reward(quantity=2)
    first = story.run(command, story.who.provider)
    assert story.run(command, story.who.provider) == []
    assert story.state.active_placement.slip_balance == 2
    assert first[0].record_id == record_id_for(command.command_id)


def test_record_ids_are_stable_per_command():
    command_id = uuid4()
    assert record_id_for(command_id) == record_id_for(command_id)
    assert record_id_for(command_id, 1) != record_id_for(command_id)


def test_stream_names():
    ref = uuid4()
    assert pupil_stream_id(ref) == f"pupil-{ref}"
    assert provision_stream_id("provision-north") == "provision-provision-north"


def test_evolve_is_pure(story):
    story.placed()
    before = story.state
    event = story.cmd.grant_reward(quantity=4)
    story.run(event, story.who.provider)
    assert before.active_placement.slip_balance == 0
    assert story.state.active_placement.slip_balance == 4


def test_events_of_other_contexts_leave_the_record_unchanged(story):
    story.placed()
    state = story.state
    other = StaffTrainingRecorded(provision_id="p", staff_id="s", training=TrainingKind.SEARCHING,
                                  completed_on=date(2024, 1, 1), expires_on=None)
    assert evolve(state, other) is state


def test_erased_record_accepts_no_more_commands(story):
    story.placed()
    story.given([PupilDataErased(pupil_ref=story.pupil_ref, reason=ErasureReason.ERASURE_REQUEST_UPHELD,
                                 legal_basis="UK GDPR Art. 17(1)(a)", requested_by=ErasureRequester.PARENT_OR_CARER)])
    assert story.state.erased
    with pytest.raises(errors.PupilRecordErased):
        story.run(story.cmd.record_attendance(), story.who.provider)
    with pytest.raises(errors.PupilRecordErased):
        story.run(story.cmd.register_pupil(), story.who.head)


def test_command_for_another_pupil_is_a_wiring_error(story):
    story.placed()
    with pytest.raises(ValueError, match="stream"):
        story.run(story.cmd.record_attendance(pupil_ref=uuid4()), story.who.provider)


def test_context_needs_an_aware_clock():
    with pytest.raises(ValueError):
        DecisionContext(caller=Caller("u", "o", OrgKind.PROVISION), now=datetime(2025, 1, 1))


def test_today_is_the_date_in_england():
    late_evening = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in British Summer Time
    assert DecisionContext(caller=Caller("u", "o", OrgKind.PROVISION), now=late_evening).today == date(2025, 7, 1)


def test_fold_starts_from_an_empty_record():
    assert fold([]) == PupilRecord()


# ----------------------------------------------------------------------------- record index


def test_record_index_finds_every_entry_across_chunks():
    index: RecordIndex[int] = RecordIndex()
    keys = [uuid4() for _ in range(1000)]
    for n, key in enumerate(keys):
        index = index.with_entry(key, n)
    assert all(index.get(key) == n for n, key in enumerate(keys))
    assert uuid4() not in index


def test_record_index_newest_value_wins_and_old_versions_stay():
    first = uuid4()
    index: RecordIndex[str] = RecordIndex().with_entry(first, "a")
    for _ in range(300):
        index = index.with_entry(uuid4(), "x")
    updated = index.with_entry(first, "b")
    assert updated.get(first) == "b" and index.get(first) == "a"


# ----------------------------------------------------------------------------- staff register

PROVIDER = Caller("u", "provision-north", OrgKind.PROVISION)
TODAY = date(2025, 3, 12)


def _train(**kw):
    return commands.RecordStaffTraining(**({"command_id": uuid4(), "provision_id": "provision-north",
                                             "staff_id": "s1", "training": "physical_intervention",
                                             "completed_on": date(2025, 1, 6)} | kw))


def test_provision_records_its_staff_training():
    events = decide_register(_train(), StaffRegister(), PROVIDER, TODAY)
    register = evolve_register(StaffRegister(), events[0])
    assert register.is_trained("s1", TrainingKind.PHYSICAL_INTERVENTION, date(2025, 1, 6))
    assert not register.is_trained("s1", TrainingKind.PHYSICAL_INTERVENTION, date(2025, 1, 5))


# "Only the provision keeps its register" is the access policy's STAFF-1 (once staff_register.provision_keeps
# here too): test_incidents_rule_owners.py and, over HTTP, test_incidents_api_entry_owners.py.


def test_training_is_recorded_once_completed():
    with pytest.raises(errors.DatedInFuture):
        decide_register(_train(completed_on=date(2025, 4, 1)), StaffRegister(), PROVIDER, TODAY)


def test_revoking_needs_training_on_the_register():
    revoke = commands.RevokeStaffTraining(command_id=uuid4(), provision_id="provision-north", staff_id="s1",
                                          training="physical_intervention", revoked_on=TODAY, reason="left_provision")
    with pytest.raises(errors.TrainingNotOnRegister):
        decide_register(revoke, StaffRegister(), PROVIDER, TODAY)
    register = evolve_register(StaffRegister(), decide_register(_train(), StaffRegister(), PROVIDER, TODAY)[0])
    [revoked] = decide_register(revoke, register, PROVIDER, TODAY)
    assert isinstance(revoked, StaffTrainingRevoked)
    register = evolve_register(register, revoked)
    assert register.is_trained("s1", TrainingKind.PHYSICAL_INTERVENTION, date(2025, 3, 11))
    assert not register.is_trained("s1", TrainingKind.PHYSICAL_INTERVENTION, TODAY)


def test_training_cannot_expire_before_completion():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        StaffTrainingRecorded(provision_id="p", staff_id="s", training=TrainingKind.SEARCHING,
                              completed_on=date(2025, 1, 6), expires_on=date(2025, 1, 6))


# ----------------------------------------------------------------------------- errors


def test_every_error_names_its_rule_and_kind_and_no_http_status():
    """The domain names the rule and the kind of refusal; the status is the edge's (see test_incidents_problems)."""
    classes = [cls for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, errors.DomainError)
               and cls not in (errors.DomainError, errors.InvalidCommand, errors.ConflictsWithRecord,
                               errors.ReservedToAnotherParty)]
    rules = [cls.rule_id for cls in classes]
    assert len(rules) == len(set(rules)), "rule ids are unique"
    assert all(isinstance(cls.kind, RefusalKind) for cls in classes)
    assert not [cls for cls in classes if hasattr(cls, "http_status") or hasattr(cls, "problem")]
