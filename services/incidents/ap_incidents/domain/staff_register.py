"""The provision's staff register (stream ``provision-<id>``): who is trained for what, and until when.

Physical intervention is for trained staff only, so ``decide`` for a pupil is given the register
of the placement's provision and checks every member of staff on the day force was used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import singledispatch
from types import MappingProxyType
from typing import Any

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.provision_staff import (
    ProvisionEvent,
    StaffTrainingRecorded,
    StaffTrainingRevoked,
    TrainingRevocationReason,
)
from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_contracts.identifiers import OrganisationId, StaffId
from ap_incidents.domain.caller import Caller
from ap_incidents.domain.commands import Command
from ap_incidents.domain.errors import DatedInFuture, TrainingNotOnRegister
from ap_incidents.domain.errors_training import TrainingExpiryMissing, TrainingProgrammeMissing
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.theme import CommandDeclaration, Theme

TrainingKey = tuple[str, TrainingKind]


class RecordStaffTraining(Command):
    provision_id: OrganisationId
    staff_id: StaffId
    training: TrainingKind
    completed_on: date
    expires_on: date | None = None
    programme: str | None = Field(default=None, min_length=1, max_length=120,
                                  description="The programme or course, e.g. 'Hertfordshire Steps'")


class RevokeStaffTraining(Command):
    provision_id: OrganisationId
    staff_id: StaffId
    training: TrainingKind
    revoked_on: date
    reason: TrainingRevocationReason


StaffRegisterCommands = RecordStaffTraining | RevokeStaffTraining


@dataclass(frozen=True, slots=True)
class Qualification:
    completed_on: date
    expires_on: date | None = None
    revoked_on: date | None = None
    programme: str | None = None

    def valid_on(self, day: date) -> bool:
        """Valid from completion until the day before expiry or revocation."""
        ends = [d for d in (self.expires_on, self.revoked_on) if d is not None]
        return self.completed_on <= day and all(day < end for end in ends)


def _no_qualifications() -> Mapping[TrainingKey, Qualification]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class StaffRegister:
    provision_id: str | None = None
    qualifications: Mapping[TrainingKey, Qualification] = field(default_factory=_no_qualifications)

    def is_trained(self, staff_id: str, training: TrainingKind, on: date) -> bool:
        qualification = self.qualifications.get((staff_id, training))
        return qualification is not None and qualification.valid_on(on)

    def on_register(self, staff_id: str, on: date) -> bool:
        """A member of staff is on the register on a day when any of their training was completed by then and
        not revoked (expiry lapses the training, not the membership)."""
        return any(
            member == staff_id and q.completed_on <= on and (q.revoked_on is None or on < q.revoked_on)
            for (member, _), q in self.qualifications.items()
        )

    def _with(self, key: TrainingKey, qualification: Qualification, provision_id: str) -> StaffRegister:
        updated = dict(self.qualifications)
        updated[key] = qualification
        return StaffRegister(provision_id, MappingProxyType(updated))


def evolve_register(register: StaffRegister, event: DomainEvent) -> StaffRegister:
    """Fold one provision event into the register; other events leave it unchanged."""
    return _apply(event, register)


@singledispatch
def _apply(event: DomainEvent, register: StaffRegister) -> StaffRegister:
    return register


@_apply.register
def _recorded(event: StaffTrainingRecorded, register: StaffRegister) -> StaffRegister:
    return register._with((event.staff_id, event.training),
                          Qualification(event.completed_on, event.expires_on, programme=event.programme),
                          event.provision_id)


@_apply.register
def _revoked(event: StaffTrainingRevoked, register: StaffRegister) -> StaffRegister:
    key = (event.staff_id, event.training)
    current = register.qualifications.get(key)
    if current is None:
        return register
    return register._with(key, replace(current, revoked_on=event.revoked_on), event.provision_id)


def decide_register(
    command: StaffRegisterCommands, register: StaffRegister, caller: Caller, today: date,
    rules: RuleBook = DEFAULT_RULES,
) -> list[ProvisionEvent]:
    """Training is recorded once it has happened, refreshed kinds with their expiry and the behaviour approach and
    CPD with their programme (``rules``), and revoked only when on the register.

    Who keeps the register (the provision itself, through its manager) is the access policy's STAFF-1,
    judged against the register's own provision (once ``staff_register.provision_keeps`` here too); the
    command handler still passes the caller, which no rule of the register needs."""
    del caller
    return _decide(command, register, today, rules)


@singledispatch
def _decide(command: Any, register: StaffRegister, today: date, rules: RuleBook) -> list[ProvisionEvent]:
    raise TypeError(f"not a staff register command: {type(command).__name__}")


@_decide.register
def _record(command: RecordStaffTraining, register: StaffRegister, today: date,
            rules: RuleBook) -> list[ProvisionEvent]:
    if command.completed_on > today:
        raise DatedInFuture("training can be recorded only once it has been completed")
    kind = command.training.value.replace("_", " ")
    if command.training in rules.training_kinds_that_expire and command.expires_on is None:
        raise TrainingExpiryMissing(f"{kind} training is refreshed: record the day it expires (expires_on)")
    programme = command.programme.strip() if command.programme else None
    if command.training in rules.training_kinds_naming_programme and not programme:
        raise TrainingProgrammeMissing(f"{kind} training names its programme or course (programme)")
    return [StaffTrainingRecorded(provision_id=command.provision_id, staff_id=command.staff_id,
                                  training=command.training, completed_on=command.completed_on,
                                  expires_on=command.expires_on, programme=programme)]


@_decide.register
def _revoke(command: RevokeStaffTraining, register: StaffRegister, today: date,
            rules: RuleBook) -> list[ProvisionEvent]:
    if (command.staff_id, command.training) not in register.qualifications:
        raise TrainingNotOnRegister(f"{command.staff_id} has no {command.training.value} training on the register")
    return [StaffTrainingRevoked(provision_id=command.provision_id, staff_id=command.staff_id,
                                 training=command.training, revoked_on=command.revoked_on, reason=command.reason)]


THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RecordStaffTraining, decide_register, "incidents.manage_staff_register",
                           (StaffTrainingRecorded,), "staff-training", "Record a member of staff's training",
                           scope_field="provision_id"),
        CommandDeclaration(RevokeStaffTraining, decide_register, "incidents.manage_staff_register",
                           (StaffTrainingRevoked,), "staff-training-revocations",
                           "Revoke a member of staff's training", scope_field="provision_id"),
    ),
)
