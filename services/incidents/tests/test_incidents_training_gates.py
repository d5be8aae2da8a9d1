"""Training that gates what staff may do (issue 13; seed 002: physical restraint training before any physical
intervention; seed 001 section 8 and seed 003 outcome 4: the behaviour approach, de-escalation and CPD).

The register records the behaviour approach (Steps or the LA's equivalent) and de-escalation with their expiry and
the behaviour approach and CPD with their programme; the force rule names the kinds it needs from the rule book,
and a training of another kind, or one expired on the day, does not count; the report says who is in date."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.provision_staff import StaffTrainingRecorded
from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.domain import errors
from ap_incidents.domain.errors_training import TrainingExpiryMissing, TrainingProgrammeMissing
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.staff_register import (
    RecordStaffTraining,
    StaffRegister,
    decide_register,
    evolve_register,
)
from ap_incidents.domain.training_report import training_report

from .conftest import PROVISION, TODAY, Callers, Story

STAFF = "staff-steps-1"


def _record(training: TrainingKind, **changes: object) -> RecordStaffTraining:
    values: dict[str, object] = {"command_id": uuid4(), "provision_id": PROVISION, "staff_id": STAFF,
                                 "training": training, "completed_on": date(2024, 9, 2)}
    return RecordStaffTraining.model_validate(values | changes)


def _decided(command: RecordStaffTraining, rules: RuleBook = DEFAULT_RULES) -> StaffTrainingRecorded:
    [event] = decide_register(command, StaffRegister(PROVISION), Callers.provider_manager, TODAY, rules)
    assert isinstance(event, StaffTrainingRecorded)
    return event


def test_the_behaviour_approach_is_recorded_with_its_programme_and_expiry() -> None:
    event = _decided(_record(TrainingKind.BEHAVIOUR_APPROACH, programme=" Hertfordshire Steps ",
                             expires_on=date(2026, 9, 2)))
    assert (event.programme, event.expires_on) == ("Hertfordshire Steps", date(2026, 9, 2))
    with pytest.raises(TrainingExpiryMissing) as refused:
        _decided(_record(TrainingKind.BEHAVIOUR_APPROACH, programme="Hertfordshire Steps"))
    assert refused.value.rule_id == "training.expiry_recorded"
    with pytest.raises(TrainingProgrammeMissing) as unnamed:
        _decided(_record(TrainingKind.BEHAVIOUR_APPROACH, expires_on=date(2026, 9, 2)))
    assert unnamed.value.rule_id == "training.programme_named"


def test_de_escalation_expires_and_cpd_names_its_course() -> None:
    assert _decided(_record(TrainingKind.DE_ESCALATION, expires_on=date(2025, 9, 2))).expires_on == date(2025, 9, 2)
    with pytest.raises(TrainingExpiryMissing):
        _decided(_record(TrainingKind.DE_ESCALATION))
    assert _decided(_record(TrainingKind.CPD, programme="Trauma-informed practice")).expires_on is None
    with pytest.raises(TrainingProgrammeMissing):
        _decided(_record(TrainingKind.CPD))


def _trained(story: Story, kind: TrainingKind, expires_on: date | None = None, staff: str = STAFF) -> None:
    story.register = evolve_register(story.register, StaffTrainingRecorded(
        provision_id=PROVISION, staff_id=staff, training=kind, completed_on=date(2024, 9, 2), expires_on=expires_on))


def test_de_escalation_or_the_behaviour_approach_alone_do_not_allow_force(story: Story) -> None:
    story.placed()
    _trained(story, TrainingKind.DE_ESCALATION, date(2026, 9, 2))
    _trained(story, TrainingKind.BEHAVIOUR_APPROACH, date(2026, 9, 2))
    incident_id = story.incident()
    with pytest.raises(errors.StaffNotTrained, match="trained in physical intervention on 2025-03-10"):
        story.run(story.cmd.physical_intervention(incident_id, staff_involved=(STAFF,)), story.who.provider)


def test_a_rule_book_requiring_de_escalation_too_names_both_kinds_and_counts_only_in_date_training() -> None:
    rules = DEFAULT_RULES.model_copy(update={"training_required_for_force": frozenset(
        {TrainingKind.PHYSICAL_INTERVENTION, TrainingKind.DE_ESCALATION})})
    story = Story(rules)
    story.placed()
    story.trained(STAFF)
    _trained(story, TrainingKind.DE_ESCALATION, expires_on=date(2025, 3, 10))  # lapses the day force is used
    incident_id = story.incident()
    command = story.cmd.physical_intervention(incident_id, staff_involved=(STAFF,))
    with pytest.raises(errors.StaffNotTrained, match="de escalation and physical intervention on 2025-03-10"):
        story.run(command, story.who.provider)
    _trained(story, TrainingKind.DE_ESCALATION, expires_on=date(2026, 3, 10))  # refreshed
    assert story.run(command, story.who.provider)


def test_the_report_says_who_is_in_date_for_each_kind() -> None:
    register = StaffRegister(PROVISION)
    for staff, kind, expires in (("a", TrainingKind.PHYSICAL_INTERVENTION, date(2025, 3, 12)),
                                 ("b", TrainingKind.PHYSICAL_INTERVENTION, None),
                                 ("b", TrainingKind.DE_ESCALATION, date(2026, 1, 1))):
        register = evolve_register(register, StaffTrainingRecorded(
            provision_id=PROVISION, staff_id=staff, training=kind, completed_on=date(2024, 9, 2), expires_on=expires))
    report = training_report(PROVISION, register, date(2025, 3, 12), DEFAULT_RULES)
    assert report["trained_in"]["physical_intervention"] == ["b"]  # a's expired that day
    assert report["trained_in"]["de_escalation"] == ["b"] and report["trained_in"]["cpd"] == []
    assert report["required"] == {"physical_intervention": ["physical_intervention"]}
    [a, b] = report["staff"]
    assert a == {"staff_id": "a", "training": [{
        "training": "physical_intervention", "programme": None, "completed_on": "2024-09-02",
        "expires_on": "2025-03-12", "revoked_on": None, "in_date": False}]}
    assert [row["training"] for row in b["training"]] == ["de_escalation", "physical_intervention"]
