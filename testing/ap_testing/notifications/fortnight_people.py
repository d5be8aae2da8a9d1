"""The fortnight's organisations and people, and the commands they send through the public HTTP APIs.

Every write is an HTTP request with a token minted for the person sending it (one token per write), as the
other end-to-end tests and the demo send them: incidents commands on their catalogue's routes, escalation chains
and acknowledgements on the notifications API. Bodies carry only what a person would type; the services take the
rest (provision, commissioner, key stage) from the record and the register of organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from ap_contracts.envelope import OrgKind
from ap_incidents.application.catalogue import COMMANDS
from ap_runtime.access import Role, TokenIssuer
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NEW_SCHOOL, PARTNERSHIP, PROVISION

NORTH, SOUTH = PROVISION, "provision-south"
HOME_1, HOME_2, HOME_3 = HOME_SCHOOL, "school-home-2", "school-home-3"
LOOKING_AFTER = "la-looking-after"  # looks after pupil b, placed out of its area: its virtual school head is told
SCHOOLS = (HOME_1, HOME_2, HOME_3, NEW_SCHOOL)
ORGANISATIONS = (NORTH, SOUTH, *SCHOOLS, COMMISSIONER, LOOKING_AFTER)
TRAINED = ("staff-north-01", "staff-north-02")  # trained in physical intervention at North
NARRATIVE = "NARRATIVE-MUST-NOT-LEAK"


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    organisation_id: str
    org_kind: OrgKind
    role: Role

    def token(self, issuer: TokenIssuer, audience: ServiceAudience) -> str:
        return issuer.mint(user_id=self.user_id, organisation_id=self.organisation_id, org_kind=self.org_kind,
                           roles=[self.role], audience=audience)


ADMIN = Person("operator", "platform-fortnight", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
COMMISSIONING_OFFICER = Person("commissioner", COMMISSIONER, OrgKind.LOCAL_AUTHORITY, Role.COMMISSIONER)


def head(school: str) -> Person:
    return Person(f"head@{school}", school, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


def dsl(school: str) -> Person:
    return Person(f"dsl@{school}", school, OrgKind.HOME_SCHOOL, Role.DSL)


def manager(provision: str) -> Person:
    return Person(f"manager@{provision}", provision, OrgKind.PROVISION, Role.PROVISION_MANAGER)


def staff(provision: str) -> Person:
    return Person(f"staff@{provision}", provision, OrgKind.PROVISION, Role.PROVISION_STAFF)


@dataclass(frozen=True, slots=True)
class Call:
    """One write through a public API: who sends it, to which service, where, with what body."""

    person: Person
    audience: ServiceAudience
    path: str
    body: dict[str, Any]


def incidents(person: Person, command_type: str, owner: str | UUID, **body: Any) -> Call:
    """An incidents command on its catalogue route (``/v1/<pupil, provision or organisation>/<command path>``)."""
    spec = COMMANDS[command_type]
    command = {"command_id": str(uuid4()), **{k: _wire(v) for k, v in body.items()}}
    scope = spec.scope_path.format(**{spec.scope_field: owner})
    return Call(person, ServiceAudience.INCIDENTS, f"/v1{scope}/{spec.path_for(command)}", command)


def _wire(value: Any) -> Any:
    if isinstance(value, date | UUID):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, tuple | list):
        return [_wire(v) for v in value]
    return value


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def register(organisation: str, kind: str, authority: str | None = None, key_stages: tuple[str, ...] = ()) -> Call:
    return incidents(ADMIN, "RegisterOrganisation", organisation, organisation_id=organisation, kind=kind,
                     local_authority_id=authority, partnership_id=PARTNERSHIP if kind != "local_authority" else None,
                     key_stages=key_stages)


def the_register(first_day: date) -> list[Call]:
    """The platform administrator registers the organisations; North records its trained staff."""
    calls = [register(COMMISSIONER, "local_authority"), register(LOOKING_AFTER, "local_authority"),
             *(register(school, "home_school", COMMISSIONER) for school in SCHOOLS),
             register(NORTH, "provision", COMMISSIONER, ("KS2",)),
             register(SOUTH, "provision", COMMISSIONER, ("KS2", "KS3"))]
    trained_on = first_day - timedelta(days=200)
    return calls + [incidents(manager(NORTH), "RecordStaffTraining", NORTH, staff_id=member,
                              training="physical_intervention", completed_on=trained_on) for member in TRAINED]


def escalation_chain(school: str, *steps: str) -> Call:
    """The school's head sets who, in order, hears of an urgent alert nobody acknowledged (notifications API)."""
    return Call(head(school), ServiceAudience.NOTIFICATIONS, f"/v1/organisations/{school}/escalation-chain",
                {"steps": list(steps)})


def acknowledgement(person: Person, notification_id: str) -> Call:
    return Call(person, ServiceAudience.NOTIFICATIONS, f"/v1/notifications/{notification_id}/acknowledgement", {})


class Pupil:
    """One pupil's commands, from registration to the end of the placement."""

    def __init__(self, home_school: str, provision: str, *, looked_after_by: str | None = None) -> None:
        self.home_school, self.provision, self.looked_after_by = home_school, provision, looked_after_by
        self.pupil_ref, self.referral_id, self.placement_id = uuid4(), uuid4(), uuid4()

    def _placed(self, person: Person, command_type: str, **body: Any) -> Call:
        return incidents(person, command_type, self.pupil_ref, placement_id=self.placement_id, **body)

    def admitted(self, start: date) -> list[Call]:
        """Registered and referred by the home school, the parent consulted, eligible, placed by the commissioner."""
        school, referral = head(self.home_school), self.referral_id
        return [
            incidents(school, "RegisterPupil", self.pupil_ref, home_school_id=self.home_school,
                      display_name=f"Pupil {self.pupil_ref.hex[:6]}", date_of_birth=date(2015, 2, 27), sex="female",
                      year_group="5", sen_status="N", fsm_eligible=False, ethnicity="NOBT",
                      looked_after=self.looked_after_by is not None),
            incidents(school, "ReceiveReferral", self.pupil_ref, referral_id=referral, provision_id=self.provision,
                      received_on=start - timedelta(20), senco_involved=True, reason=NARRATIVE,
                      support_already_tried=NARRATIVE),
            incidents(school, "RecordParentConsultation", self.pupil_ref, referral_id=referral,
                      consulted_on=start - timedelta(19), method="meeting", parent_view="supports",
                      consulted_with=NARRATIVE),
            incidents(manager(self.provision), "DecideEligibility", self.pupil_ref, referral_id=referral,
                      decided_on=start - timedelta(18), outcome="eligible", rationale=NARRATIVE),
            self._placed(COMMISSIONING_OFFICER, "StartPlacement", referral_id=referral, start_date=start,
                         planned_end_date=start + timedelta(120), timetable="full_time",
                         planned_review_date=start + timedelta(40), exit_criteria=NARRATIVE,
                         incident_severity_threshold=3, attendance_threshold_percent=90,
                         looked_after_by=self.looked_after_by),
        ]

    def incident(self, severity: int, on: date, incident_id: UUID | None = None) -> Call:
        return self._placed(staff(self.provision), "RecordIncident", incident_id=incident_id or uuid4(),
                            happened_at=at(on, 11).isoformat(), category="physical_aggression_to_pupil",
                            severity=severity, location="classroom", triggers=["peer_conflict"],
                            description=NARRATIVE, staff_involved=[f"staff-{self.provision}-01"])

    def thresholds(self, on: date, severity: int) -> Call:
        return self._placed(COMMISSIONING_OFFICER, "AgreeAlertThresholds", agreed_on=on,
                            incident_severity_threshold=severity, attendance_threshold_percent=90)

    def concern(self, on: date) -> Call:
        """A concern with immediate risk: urgent, to the home school and both DSLs at once."""
        return self._placed(staff(self.provision), "RaiseSafeguardingConcern", concern_id=uuid4(),
                            raised_at=at(on, 10).isoformat(), category="neglect", immediate_risk=True,
                            referred_to_dsl=True, raised_by=f"staff-{self.provision}-01", concern=NARRATIVE,
                            action_taken=NARRATIVE)

    def intervention(self, on: date) -> list[Call]:
        """Force used by trained staff in a moderate incident (below the threshold: the incident alerts nobody)."""
        incident = uuid4()
        return [self.incident(2, on, incident), self._placed(
            staff(self.provision), "RecordPhysicalIntervention", incident_id=incident,
            started_at=at(on, 11, 5).isoformat(), duration_minutes=3, reason="prevent_harm_to_others",
            staff_involved=list(TRAINED), injury_occurred=False, description=NARRATIVE, parents_informed=True)]

    def suspended(self, on: date) -> Call:
        """The home school head suspends for one school day, parents told: within 5 days, nobody is told at once."""
        return incidents(head(self.home_school), "IssueSuspension", self.pupil_ref, first_day=on,
                         duration_half_days=2, primary_reason="DB", parents_informed=True, account=NARRATIVE)

    def ended(self, on: date, destination: str) -> Call:
        return self._placed(COMMISSIONING_OFFICER, "EndPlacement", end_date=on, reason="managed_move",
                            destination_id=destination, summary=NARRATIVE)
