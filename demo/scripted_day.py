"""A scripted day at one provision: several pupils, every command type, a few refused commands.

    day = scripted_day(tokens_from(issuer))
    for step in day.steps:              # in order; HTTP steps and Kafka steps (``step.channel``)
        ...send step.command_type / step.pupil_ref / step.command with step.token...
    day.accepted_event_types(pupil_ref) # what the behaviour log must show, in order

Every value is fictional. Each call tags names and narratives with a fresh run tag, so a search
for one pupil's identifying values (``day.pupils[key].identifying_values()``) finds only that run.
Pupils: ``ashgrove`` (HTTP; the full day-to-day record), ``birchfield`` (Kafka; reduced timetable,
Year 6 transition) and ``cedar`` (HTTP; EHCP, out-of-key-stage place, permanent exclusion).
``ErasePupil`` is not part of the day: ``erasure_step`` builds it for the privacy checks, and
``legal_hold_steps`` the placing and lifting of a legal hold (privacy bookkeeping, not the day's record);
``safeguarding_release_step`` a DPO's release of safeguarding records for subject access (the same).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from ap_incidents.domain.identity import record_id_for
from ap_runtime.school_days.example import term_dates_bodies
from demo.personas import (
    COMMISSIONER,
    HOME_SCHOOL,
    OTHER_LOCAL_AUTHORITY,
    OTHER_PARTNERSHIP,
    OTHER_PROVISION,
    PARTNERSHIP,
    PROVISION,
    SECOND_SCHOOL,
    SECONDARY_SCHOOL,
    Persona,
    TokenFor,
)

ENGLAND = ZoneInfo("Europe/London")
TRAINED_STAFF = ("staff-id-north-01", "staff-id-north-02")
UNTRAINED_STAFF = "staff-id-north-09"
REVOKED_STAFF = "staff-id-north-07"


class Channel(StrEnum):
    HTTP = "http"
    KAFKA = "kafka"


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # a pupil-path rule refused it (409/422/403 with the rule)
    DENIED = "denied"  # the access policy refused it (403 with the policy rule)
    INVALID = "invalid"  # not a valid command (422 with the fields)


@dataclass(frozen=True, slots=True)
class Expect:
    outcome: Outcome
    http_status: int
    rule: str | None = None
    event_type: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    label: str
    command_type: str
    pupil_ref: UUID | None
    command: dict[str, Any]
    persona: Persona
    token: str
    expect: Expect
    channel: Channel = Channel.HTTP
    provision_id: str | None = None
    purpose: str | None = None

    @property
    def command_id(self) -> str:
        return str(self.command.get("command_id"))


@dataclass(frozen=True, slots=True)
class PupilIdentity:
    key: str
    pupil_ref: UUID
    display_name: str
    date_of_birth: date
    family_contact: str
    narratives: tuple[str, ...]

    def identifying_values(self) -> list[str]:
        """Strings that identify the pupil: none may survive erasure anywhere (byte search)."""
        return [self.display_name, self.date_of_birth.isoformat(), self.family_contact, *self.narratives]


@dataclass
class ScriptedDay:
    today: date
    run_tag: str
    steps: list[Step] = field(default_factory=list)
    pupils: dict[str, PupilIdentity] = field(default_factory=dict)

    def commands(self) -> list[tuple[str, UUID | None, dict[str, Any], str]]:
        """(command_type, pupil_ref, command, token) of every step, in order."""
        return [(s.command_type, s.pupil_ref, s.command, s.token) for s in self.steps]

    def accepted(self) -> list[Step]:
        return [s for s in self.steps if s.expect.outcome is Outcome.ACCEPTED]

    def accepted_event_types(self, pupil_ref: UUID) -> list[str]:
        """The entries the pupil's behaviour log must show, in order."""
        return [s.expect.event_type or "" for s in self.accepted() if s.pupil_ref == pupil_ref]

    def event_types_read_by_the_provision(self, pupil_ref: UUID) -> list[str]:
        """What the provision reads of the pupil's log: once its placement ended, the entries up to the end
        only (access ends with the relationship, issue 9)."""
        accepted = self.accepted_event_types(pupil_ref)
        ends = [i for i, event_type in enumerate(accepted) if event_type == "PlacementEnded"]
        if not ends or "PlacementStarted" in accepted[ends[-1]:]:
            return accepted
        return accepted[:ends[-1] + 1]


class _Pupil:
    """Builds one pupil's steps; narratives carry the run tag so they can be found byte for byte."""

    def __init__(self, day: ScriptedDay, token_for: TokenFor, key: str, channel: Channel,
                 name: str, born: date, contact: str) -> None:
        self.day, self.token_for, self.key, self.channel = day, token_for, key, channel
        self.pupil_ref = uuid4()
        self.referral_id = uuid4()
        self.placement_id = uuid4()
        self.name = f"{name} {day.run_tag}"
        self.born = born
        self.contact = f"{contact} ({day.run_tag})"
        self.narratives: list[str] = []
        self._pending: list[str] = []
        day.pupils[key] = PupilIdentity(key, self.pupil_ref, self.name, born, self.contact, ())

    def text(self, words: str) -> str:
        """A narrative about this pupil, tagged so it can be found byte for byte; it counts as an
        identifying value once the step carrying it is accepted (refused steps store nothing)."""
        tagged = f"{words} [{self.key} {self.day.run_tag}]"
        self._pending.append(tagged)
        return tagged

    def step(self, label: str, command_type: str, persona: Persona, body: dict[str, Any], expect: Expect,
             *, purpose: str | None = None, placement: bool = False) -> dict[str, Any]:
        command = {"command_id": str(uuid4()), **({"placement_id": str(self.placement_id)} if placement else {}),
                   **body}
        if expect.outcome is Outcome.ACCEPTED:
            self.narratives.extend(self._pending)
            identity = self.day.pupils[self.key]
            self.day.pupils[self.key] = PupilIdentity(identity.key, identity.pupil_ref, identity.display_name,
                                                      identity.date_of_birth, identity.family_contact,
                                                      tuple(self.narratives))
        self._pending.clear()
        self.day.steps.append(Step(label, command_type, self.pupil_ref, command, persona, self.token_for(persona),
                                   expect, self.channel, purpose=purpose))
        return command


def _ok(event_type: str) -> Expect:
    return Expect(Outcome.ACCEPTED, 201, event_type=event_type)


def _no(status: int, rule: str) -> Expect:
    return Expect(Outcome.REJECTED, status, rule)


def _denied(rule: str) -> Expect:
    return Expect(Outcome.DENIED, 403, rule)


def _at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=ENGLAND).isoformat()


def _record_of(command: dict[str, Any]) -> str:
    return str(record_id_for(UUID(command["command_id"])))


def _engagement(p: _Pupil, yesterday: date, incident: dict[str, Any]) -> None:
    """Seed 002 sections 5 and 6.9 (issue 14): a keyworker's target, a session's engagement score with progress
    against it, a score off the rule book's scale refused, a score reduced as a sanction for the incident, and the
    score amended (issue 16)."""
    target_id = str(uuid4())
    p.step("the keyworker sets a target", "SetEngagementTarget", Persona.PROVISION_STAFF, {
        "target_id": target_id, "area": "work_completion", "set_on": (yesterday - timedelta(6)).isoformat(),
        "due_by": (yesterday + timedelta(14)).isoformat(),
        "description": p.text("Finish each maths task before break"), "keyworker": TRAINED_STAFF[1],
    }, _ok("EngagementTargetSet"), placement=True)
    score = p.step("the afternoon's engagement score", "RecordEngagementScore", Persona.PROVISION_STAFF, {
        "scored_on": yesterday.isoformat(), "session": "PM", "score": 4,
        "progress": [{"target_id": target_id, "progress": "exceeded"}], "keyworker": TRAINED_STAFF[1],
        "notes": p.text("Finished both maths tasks and helped a peer"),
    }, _ok("EngagementScoreRecorded"), placement=True)
    p.step("REFUSED: an engagement score above the scale", "RecordEngagementScore", Persona.PROVISION_STAFF, {
        "scored_on": yesterday.isoformat(), "session": "AM", "score": 7, "keyworker": TRAINED_STAFF[1],
    }, _no(422, "engagement.score_on_scale"), placement=True)
    p.step("a score reduced as a sanction for the incident", "ReduceEngagementScore", Persona.PROVISION_STAFF, {
        "score_record_id": _record_of(score), "reduced_on": yesterday.isoformat(), "points": 1,
        "incident_id": incident["incident_id"], "reason": p.text("Three warnings before the incident at break"),
    }, _ok("EngagementScoreReduced"), placement=True)
    p.step("the score amended: it was given wrongly", "AmendEngagementScore", Persona.PROVISION_STAFF, {
        "score_record_id": _record_of(score), "score": 5, "reason": "wrong_value",
        "explanation": p.text("Both maths tasks were finished, not one"),
    }, _ok("EngagementScoreAmended"), placement=True)


def _sent_home(p: _Pupil, yesterday: date) -> None:
    """Seed 002 appendix 2 (issue 14): a pupil suspected to be under the influence is sent home from the afternoon
    session and collected by a parent; an unauthorised absence, not an exclusion."""
    p.step("a pupil sent home from the afternoon", "RecordSentHome", Persona.PROVISION_STAFF, {
        "sent_on": yesterday.isoformat(), "from_session": "PM", "reason": "suspected_under_influence",
        "collected_by_parent": True,
    }, _ok("SentHomeRecorded"), placement=True)


def scripted_day(token_for: TokenFor, *, today: date | None = None, run_tag: str | None = None) -> ScriptedDay:
    """The day's steps in order, with each step's expected outcome."""
    today = today or datetime.now(ENGLAND).date()
    day = ScriptedDay(today, run_tag or secrets.token_hex(4))
    _organisations(day, token_for)
    _staff_register(day, token_for)
    _ashgrove(day, token_for)
    _birchfield(day, token_for)
    _cedar(day, token_for)
    return day


def erasure_step(day: ScriptedDay, key: str, token_for: TokenFor) -> Step:
    """The home school DPO erases one pupil of the day (not part of ``steps``)."""
    pupil = day.pupils[key]
    body = {"command_id": str(uuid4()), "reason": "erasure_request_upheld",
            "legal_basis": "UK GDPR Art. 17(1)(a)", "requested_by": "parent_or_carer"}
    return Step("the DPO erases the pupil's personal data", "ErasePupil", pupil.pupil_ref, body, Persona.HOME_DPO,
                token_for(Persona.HOME_DPO), _ok("PupilDataErased"), purpose="erasure request upheld")


def legal_hold_steps(day: ScriptedDay, key: str, token_for: TokenFor) -> list[Step]:
    """The home school DPO places a legal hold on one pupil of the day, then lifts it (not part of ``steps``)."""
    pupil = day.pupils[key]
    hold = {"hold_id": str(uuid4()), "authority_reference": f"Inquiry ref. DEMO-{day.run_tag}"}
    return [
        Step("the DPO places a legal hold", "PlaceLegalHold", pupil.pupil_ref,
             {"command_id": str(uuid4()), **hold}, Persona.HOME_DPO, token_for(Persona.HOME_DPO),
             _ok("LegalHoldPlaced"), purpose="inquiry preservation notice"),
        Step("the DPO lifts the legal hold", "LiftLegalHold", pupil.pupil_ref,
             {"command_id": str(uuid4()), **hold}, Persona.HOME_DPO, token_for(Persona.HOME_DPO),
             _ok("LegalHoldLifted"), purpose="inquiry closed"),
    ]


# ----------------------------------------------------------------------------- the register of organisations


# (organisation, kind, local authority, partnership, key stages): what access and placements rest on.
ORGANISATIONS: tuple[tuple[str, str, str | None, str | None, tuple[str, ...]], ...] = (
    (COMMISSIONER, "local_authority", None, None, ()),
    (OTHER_LOCAL_AUTHORITY, "local_authority", None, None, ()),
    (HOME_SCHOOL, "home_school", COMMISSIONER, PARTNERSHIP, ()),
    (SECOND_SCHOOL, "home_school", COMMISSIONER, PARTNERSHIP, ()),
    (SECONDARY_SCHOOL, "home_school", COMMISSIONER, PARTNERSHIP, ()),
    (PROVISION, "provision", COMMISSIONER, PARTNERSHIP, ("KS2",)),
    (OTHER_PROVISION, "provision", COMMISSIONER, OTHER_PARTNERSHIP, ("KS2", "KS3")),
)


def _organisations(day: ScriptedDay, token_for: TokenFor) -> None:
    """The platform administrator registers the organisations (the same facts again record nothing)."""
    for organisation, kind, local_authority, partnership, key_stages in ORGANISATIONS:
        command = {"command_id": str(uuid4()), "organisation_id": organisation, "kind": kind,
                   "local_authority_id": local_authority, "partnership_id": partnership,
                   "key_stages": list(key_stages)}
        day.steps.append(Step(f"{organisation} is registered", "RegisterOrganisation", None, command,
                              Persona.PLATFORM_ADMIN, token_for(Persona.PLATFORM_ADMIN),
                              _ok("OrganisationRegistered")))
    # Issue 13: the LA records its term dates through the API (the packaged EXAMPLE dates: demo data only).
    for body in term_dates_bodies():
        day.steps.append(Step(f"{COMMISSIONER} records its term dates for {body['academic_year']}", "RecordTermDates",
                              None, {"command_id": str(uuid4()), **body}, Persona.LA_OFFICER,
                              token_for(Persona.LA_OFFICER), _ok("TermDatesRecorded")))


def safeguarding_release_step(day: ScriptedDay, key: str, token_for: TokenFor) -> Step:
    """The home school DPO releases one pupil's safeguarding records for subject access (not part of ``steps``)."""
    pupil = day.pupils[key]
    body = {"command_id": str(uuid4()), "release_id": str(uuid4()), "request_reference": f"SAR-DEMO-{day.run_tag}"}
    return Step("the DPO releases the safeguarding records for subject access", "ReleaseSubjectAccessSafeguarding",
                pupil.pupil_ref, body, Persona.HOME_DPO, token_for(Persona.HOME_DPO),
                _ok("SubjectAccessSafeguardingReleased"), purpose="reviewed with the DSL")


# ----------------------------------------------------------------------------- the provision's register


def _staff_register(day: ScriptedDay, token_for: TokenFor) -> None:
    trained_on = (day.today - timedelta(days=200)).isoformat()

    def add(label: str, command_type: str, body: dict[str, Any], expect: Expect) -> None:
        command = {"command_id": str(uuid4()), **body}
        day.steps.append(Step(label, command_type, None, command, Persona.PROVISION_MANAGER,
                              token_for(Persona.PROVISION_MANAGER), expect, provision_id=PROVISION))

    for staff in (*TRAINED_STAFF, REVOKED_STAFF):
        add(f"{staff} is trained in physical intervention", "RecordStaffTraining",
            {"staff_id": staff, "training": "physical_intervention", "completed_on": trained_on},
            _ok("StaffTrainingRecorded"))
    # Issue 13: the LA's behaviour approach (Steps), refreshed every two years, with its programme named.
    add(f"{TRAINED_STAFF[0]} completed the LA's behaviour approach", "RecordStaffTraining",
        {"staff_id": TRAINED_STAFF[0], "training": "behaviour_approach", "completed_on": trained_on,
         "expires_on": (day.today + timedelta(days=530)).isoformat(), "programme": "Demo County Steps"},
        _ok("StaffTrainingRecorded"))
    add(f"{REVOKED_STAFF} left the provision", "RevokeStaffTraining",
        {"staff_id": REVOKED_STAFF, "training": "physical_intervention",
         "revoked_on": (day.today - timedelta(days=30)).isoformat(), "reason": "left_provision"},
        _ok("StaffTrainingRevoked"))


# ----------------------------------------------------------------------------- admission, shared


def _admit(p: _Pupil, *, year_group: str, sen_status: str, referrer: Persona) -> None:
    t = p.day.today
    p.step("the home school registers the pupil", "RegisterPupil", referrer, {
        "home_school_id": HOME_SCHOOL_OF[p.key], "display_name": p.name, "date_of_birth": p.born.isoformat(),
        "sex": "female" if p.key != "cedar" else "male", "year_group": year_group, "sen_status": sen_status,
        "fsm_eligible": True, "ethnicity": "NOBT", "looked_after": False, "family_contact": p.contact,
    }, _ok("PupilRegistered"))
    p.step("the home school refers the pupil", "ReceiveReferral", referrer, {
        "referral_id": str(p.referral_id), "provision_id": PROVISION, "received_on": (t - timedelta(20)).isoformat(),
        "senco_involved": True, "reason": p.text("Escalating disruption in lessons over two terms"),
        "support_already_tried": p.text("Small-group literacy and a daily check-in"),
    }, _ok("ReferralReceived"))


def _consult(p: _Pupil, persona: Persona) -> None:
    p.step("the home school consults the parent", "RecordParentConsultation", persona, {
        "referral_id": str(p.referral_id), "consulted_on": (p.day.today - timedelta(19)).isoformat(),
        "method": "meeting", "parent_view": "supports", "consulted_with": p.text("Parent, at a school meeting"),
    }, _ok("ParentConsultationRecorded"))


HOME_SCHOOL_OF = {"ashgrove": HOME_SCHOOL, "birchfield": SECOND_SCHOOL, "cedar": HOME_SCHOOL}


def _placement(p: _Pupil, **terms: Any) -> dict[str, Any]:
    t = p.day.today
    start = t - timedelta(14)
    return {
        "placement_id": str(p.placement_id), "referral_id": str(p.referral_id), "start_date": start.isoformat(),
        "planned_end_date": (start + timedelta(120)).isoformat(), "timetable": "full_time",
        "planned_review_date": (start + timedelta(40)).isoformat(),
        "exit_criteria": p.text("Six weeks without a serious incident"),
        "incident_severity_threshold": 3, "attendance_threshold_percent": 90, **terms,
    }


def _incident(p: _Pupil, persona: Persona, label: str, expect: Expect | None = None) -> dict[str, Any]:
    yesterday = p.day.today - timedelta(1)
    return p.step(label, "RecordIncident", persona, {
        "incident_id": str(uuid4()), "happened_at": _at(yesterday, 10, 15),
        "category": "physical_aggression_to_pupil", "severity": 3, "location": "outdoor_area",
        "triggers": ["peer_conflict"], "antecedents": p.text("A ball game at break turned into an argument"),
        "description": p.text("Pushed another pupil to the ground"), "staff_involved": [TRAINED_STAFF[0]],
    }, expect or _ok("IncidentRecorded"), placement=True)


# ----------------------------------------------------------------------------- ashgrove: the full daily record


def _ashgrove(day: ScriptedDay, token_for: TokenFor) -> None:
    p = _Pupil(day, token_for, "ashgrove", Channel.HTTP, "Ellowen Marchbank", date(2015, 2, 27),
               "Carer on 07700 900417")
    t, yesterday = day.today, day.today - timedelta(1)
    _admit(p, year_group="5", sen_status="K", referrer=Persona.HOME_STAFF)
    p.step("the home school updates the family contact", "UpdatePupilDetails", Persona.HOME_STAFF,
           {"effective_from": (t - timedelta(20)).isoformat(), "family_contact": p.contact + " (mobile)"},
           _ok("PupilDetailsUpdated"))
    p.step("DENIED: another local authority changes the family contact", "UpdatePupilDetails",
           Persona.OTHER_LA_OFFICER, {"effective_from": (t - timedelta(20)).isoformat(),
                                      "family_contact": "Call the other authority instead"}, _denied("PUP-2"))
    p.step("REFUSED: a placement before the parent is consulted", "StartPlacement", Persona.COMMISSIONER,
           _placement(p), _no(409, "placement.parent_consulted"))
    _consult(p, Persona.HOME_STAFF)
    p.step("the provision tells the parents of its random-search policy at the initial interview",
           "RecordSearchPolicyExplained", Persona.PROVISION_MANAGER, {
               "referral_id": str(p.referral_id), "explained_on": (t - timedelta(19)).isoformat(), "method": "meeting",
           }, _ok("SearchPolicyExplained"))
    p.step("the provision's manager decides eligibility", "DecideEligibility", Persona.PROVISION_MANAGER, {
        "referral_id": str(p.referral_id), "decided_on": (t - timedelta(18)).isoformat(), "outcome": "eligible",
        "rationale": p.text("Meets the partnership's criteria for a short placement"),
    }, _ok("EligibilityDecided"))
    p.step("the home school holds a multidisciplinary meeting", "RecordMultidisciplinaryMeeting",
           Persona.HOME_HEAD, {
               "referral_id": str(p.referral_id), "held_on": (t - timedelta(18)).isoformat(),
               "attendees": ["senco", "educational_psychologist", "home_school_head"], "recommends_placement": True,
               "needs_assessment": p.text("Needs met in a small group with a keyworker"),
           }, _ok("MultidisciplinaryMeetingRecorded"))
    p.step("REFUSED: a one-person 'multidisciplinary' meeting", "RecordMultidisciplinaryMeeting",
           Persona.HOME_HEAD, {
               "referral_id": str(p.referral_id), "held_on": (t - timedelta(18)).isoformat(),
               "attendees": ["senco"], "recommends_placement": True, "needs_assessment": "The SENCO alone",
           }, _no(422, "meeting.multidisciplinary"))
    p.step("REFUSED: a placement dated before the parent was consulted", "StartPlacement", Persona.COMMISSIONER,
           _placement(p, start_date=(t - timedelta(20)).isoformat()), _no(409, "placement.after_its_prerequisites"))
    p.step("the commissioner starts the placement", "StartPlacement", Persona.COMMISSIONER, _placement(p),
           _ok("PlacementStarted"))
    p.step("the commissioner agrees new alert thresholds", "AgreeAlertThresholds", Persona.COMMISSIONER,
           {"agreed_on": (t - timedelta(7)).isoformat(), "incident_severity_threshold": 4,
            "attendance_threshold_percent": 85}, _ok("AlertThresholdsAgreed"), placement=True)
    p.step("morning register", "RecordAttendance", Persona.PROVISION_STAFF,
           {"session_date": yesterday.isoformat(), "session": "AM", "code": "/"}, _ok("AttendanceRecorded"),
           placement=True)
    afternoon = p.step("afternoon register", "RecordAttendance", Persona.PROVISION_STAFF,
                       {"session_date": yesterday.isoformat(), "session": "PM", "code": "\\"},
                       _ok("AttendanceRecorded"), placement=True)
    incident = _incident(p, Persona.PROVISION_STAFF, "an incident at break")
    p.step("a sanction for the incident", "ApplySanction", Persona.PROVISION_STAFF, {
        "incident_id": incident["incident_id"], "applied_on": yesterday.isoformat(),
        "sanction": "reflection_with_keyworker", "notes": p.text("Talked through what happened at break"),
    }, _ok("SanctionApplied"), placement=True)
    p.step("reward slips for the afternoon", "GrantReward", Persona.PROVISION_STAFF, {
        "granted_on": yesterday.isoformat(), "kind": "reward_slip", "quantity": 3,
        "reason": p.text("Stayed on task all afternoon"),
    }, _ok("RewardGranted"), placement=True)
    p.step("slips spent at the tuck shop", "RedeemReward", Persona.PROVISION_STAFF, {
        "redeemed_on": yesterday.isoformat(), "item": "Fruit juice", "cost_pence": 250, "slips_spent": 2,
    }, _ok("RewardRedeemed"), placement=True)
    p.step("REFUSED: a reward item over the £30 maximum", "RedeemReward", Persona.PROVISION_STAFF, {
        "redeemed_on": yesterday.isoformat(), "item": "Headphones", "cost_pence": 3500, "slips_spent": 1,
    }, _no(422, "reward.item_within_limit"), placement=True)
    _engagement(p, yesterday, incident)
    _sent_home(p, yesterday)
    p.step("a keyworker session", "HoldKeyworkerSession", Persona.PROVISION_STAFF, {
        "held_on": yesterday.isoformat(), "focus": "reflection_on_behaviour", "duration_minutes": 30,
        "keyworker": TRAINED_STAFF[1], "notes": p.text("Named two ways to ask for help at break"),
    }, _ok("KeyworkerSessionHeld"), placement=True)
    intervention = {
        "incident_id": incident["incident_id"], "started_at": _at(yesterday, 10, 20), "duration_minutes": 2,
        "reason": "prevent_harm_to_others", "injury_occurred": False, "parents_informed": True,
    }
    p.step("trained staff guide the pupil away", "RecordPhysicalIntervention", Persona.PROVISION_STAFF, {
        **intervention, "staff_involved": list(TRAINED_STAFF),
        "description": p.text("Guided by the arm away from the other pupil"),
    }, _ok("PhysicalInterventionRecorded"), placement=True)
    p.step("REFUSED: force by staff not recorded as trained", "RecordPhysicalIntervention",
           Persona.PROVISION_STAFF, {**intervention, "staff_involved": [UNTRAINED_STAFF, REVOKED_STAFF],
                                     "description": p.text("Held by both wrists")},
           _no(409, "intervention.trained_staff_only"), placement=True)
    search = {"searched_at": _at(yesterday, 13, 5), "searched_for": ["knife_or_weapon"],
              "grounds": p.text("Another pupil reported a blade in a bag"), "searcher": TRAINED_STAFF[0],
              "searcher_sex": "female", "parents_informed": True}
    p.step("a search with a witness", "RecordSearch", Persona.PROVISION_STAFF, {
        **search, "witness": TRAINED_STAFF[1],
        "items_found": [{"item": "knife_or_weapon", "quantity": 1, "disposal": "handed_to_police"}],
    }, _ok("SearchConducted"), placement=True)
    p.step("REFUSED: a search without a witness and no urgent exception", "RecordSearch", Persona.PROVISION_STAFF,
           search, _no(422, "search.same_sex_with_witness"), placement=True)
    p.step("REFUSED: 'none' typed as the witness", "RecordSearch", Persona.PROVISION_STAFF,
           {**search, "witness": "none"}, _no(422, "search.witness_on_staff_register"), placement=True)
    p.step("a safeguarding concern to the DSL", "RaiseSafeguardingConcern", Persona.PROVISION_STAFF, {
        "concern_id": str(uuid4()), "raised_at": _at(yesterday, 14, 0), "category": "neglect",
        "immediate_risk": False, "referred_to_dsl": True, "raised_by": TRAINED_STAFF[1],
        "concern": p.text("Arrived without a coat or lunch for the third day running"),
        "action_taken": p.text("DSL informed and breakfast club offered"),
    }, _ok("SafeguardingConcernRaised"), placement=True)
    p.step("a behaviour contract", "AgreeBehaviourContract", Persona.PROVISION_STAFF, {
        "agreed_on": yesterday.isoformat(), "review_date": (t + timedelta(21)).isoformat(),
        "parent_involved": True, "targets": p.text("Use the calm card instead of leaving the room"),
    }, _ok("BehaviourContractAgreed"), placement=True)
    p.step("a referral to CAMHS", "ReferToExternalAgency", Persona.PROVISION_MANAGER, {
        "referred_on": yesterday.isoformat(), "agency": "camhs", "parent_permission": True,
        "reason": p.text("Low mood reported at home and at the provision"),
    }, _ok("ExternalAgencyReferralMade"), placement=True)
    p.step("a placement review", "HoldReview", Persona.PROVISION_MANAGER, {
        "held_on": yesterday.isoformat(), "outcome": "continue", "progress_summary": p.text("Fewer incidents a week"),
        "action_plan": p.text("Phased return to two home-school lessons"),
        "action_plan_due_date": (t + timedelta(14)).isoformat(), "next_review_date": (t + timedelta(40)).isoformat(),
    }, _ok("ReviewHeld"), placement=True)
    proposal = p.step("the provider proposes withdrawing the place", "ProposeExclusion", Persona.PROVISION_MANAGER, {
        "proposal_id": str(uuid4()), "proposed_on": yesterday.isoformat(), "primary_reason": "PP",
        "account": p.text("Second assault on a peer this week"),
        "safety_arrangements": p.text("Supervised at the home school until the decision"),
    }, _ok("ExclusionProposed"), placement=True)
    decision = {"proposal_id": proposal["proposal_id"], "decided_on": yesterday.isoformat(),
                "decision": "withdrawal_declined", "reasons": p.text("Support plan not yet tried in full")}
    p.step("DENIED: the provider records the commissioner's decision", "RecordCommissionerDecision",
           Persona.PROVISION_MANAGER, decision, _denied("EXC-2"), placement=True)
    p.step("the commissioner declines the withdrawal", "RecordCommissionerDecision", Persona.COMMISSIONER,
           decision, _ok("CommissionerDecisionRecorded"), placement=True)
    p.step("the home school head suspends for one day", "IssueSuspension", Persona.HOME_HEAD, {
        "first_day": t.isoformat(), "duration_half_days": 2, "primary_reason": "PP", "parents_informed": True,
        "account": p.text("Assault on a peer at the provision"),
    }, _ok("SuspensionIssued"))
    p.step("REFUSED: suspensions past the 45-day cap", "IssueSuspension", Persona.HOME_HEAD, {
        "first_day": t.isoformat(), "duration_half_days": 90, "primary_reason": "PP", "parents_informed": True,
        "account": p.text("Further assault"),
    }, _no(409, "suspension.cap_per_academic_year"))
    p.step("DENIED: another provision records an incident", "RecordIncident", Persona.OTHER_PROVISION_STAFF, {
        "incident_id": str(uuid4()), "happened_at": _at(yesterday, 11), "category": "low_level_disruption",
        "severity": 1, "location": "classroom", "triggers": ["task_demand"], "description": "Not our pupil",
        "staff_involved": ["staff-id-south-01"],
    }, _denied("DAY-3"), placement=True)
    p.step("the manager corrects the incident's location", "AmendRecord", Persona.PROVISION_MANAGER, {
        "target_record_id": _record_of(incident), "reason": "wrong_value",
        "explanation": p.text("It happened on the field, recorded as the yard"),
        "corrected_values": {"location": "off_site_activity"},
    }, _ok("RecordAmended"), purpose="correcting the record")
    p.step("the manager withdraws a duplicated afternoon mark", "WithdrawRecordInError", Persona.PROVISION_MANAGER, {
        "target_record_id": _record_of(afternoon), "reason": "duplicate_entry",
        "explanation": p.text("Marked twice from two registers"),
    }, _ok("RecordWithdrawnInError"), purpose="correcting the record")
    p.step("REFUSED: the provider ends the place as a managed move on its own", "EndPlacement",
           Persona.PROVISION_MANAGER, {"end_date": t.isoformat(), "reason": "managed_move"},
           _no(403, "placement.end_reason_needs_commissioner"), placement=True)
    p.step("REFUSED: the provider ends the place as a reintegration the home school has not confirmed",
           "EndPlacement", Persona.PROVISION_MANAGER,
           {"end_date": t.isoformat(), "reason": "reintegrated_to_home_school"},
           _no(409, "placement.reintegration_confirmed_by_home_school"), placement=True)
    p.step("the home school confirms it will take the pupil back", "ConfirmReintegration", Persona.HOME_STAFF,
           {"confirmed_on": t.isoformat()}, _ok("ReintegrationConfirmed"), placement=True)


# ----------------------------------------------------------------------------- birchfield: reduced timetable (Kafka)


def _birchfield(day: ScriptedDay, token_for: TokenFor) -> None:
    p = _Pupil(day, token_for, "birchfield", Channel.KAFKA, "Tamsin Oakridge-Vale", date(2014, 4, 3),
               "Grandparent on 07700 900552")
    t, yesterday = day.today, day.today - timedelta(1)
    head = Persona.SECOND_SCHOOL_HEAD
    _admit(p, year_group="6", sen_status="N", referrer=head)
    _consult(p, head)
    p.step("the provision's manager decides eligibility", "DecideEligibility", Persona.PROVISION_MANAGER, {
        "referral_id": str(p.referral_id), "decided_on": (t - timedelta(18)).isoformat(), "outcome": "eligible",
        "rationale": p.text("Short placement before secondary transfer"),
    }, _ok("EligibilityDecided"))
    p.step("REFUSED: a reduced timetable without a reintegration plan", "StartPlacement", Persona.COMMISSIONER,
           _placement(p, timetable="reduced",
                      reduced_timetable_review_date=(t + timedelta(14)).isoformat()),
           _no(422, "timetable.reduced_has_review_date_and_plan"))
    p.step("the commissioner starts a reduced-timetable placement", "StartPlacement", Persona.COMMISSIONER,
           _placement(p, timetable="reduced", reduced_timetable_review_date=(t + timedelta(14)).isoformat(),
                      reintegration_plan=p.text("Mornings first, afternoons from the second week")),
           _ok("PlacementStarted"))
    p.step("afternoon register on the reduced timetable", "RecordAttendance", Persona.PROVISION_STAFF,
           {"session_date": yesterday.isoformat(), "session": "PM", "code": "C2"}, _ok("AttendanceRecorded"),
           placement=True)
    p.step("INVALID: an incident without its description", "RecordIncident", Persona.PROVISION_STAFF, {
        "incident_id": str(uuid4()), "happened_at": _at(yesterday, 9, 40), "category": "low_level_disruption",
        "severity": 1, "location": "classroom", "triggers": ["task_demand"], "staff_involved": [TRAINED_STAFF[0]],
    }, Expect(Outcome.INVALID, 422, None), placement=True)
    _incident(p, Persona.PROVISION_STAFF, "an incident in class")
    p.step("the reduced timetable is reviewed and increased", "ReviewReducedTimetable", Persona.PROVISION_MANAGER, {
        "reviewed_on": yesterday.isoformat(), "outcome": "increased",
        "next_review_date": (t + timedelta(21)).isoformat(), "reintegration_plan": p.text("Add two afternoons"),
    }, _ok("ReducedTimetableReviewed"), placement=True)
    visits = [{"visit_date": (t + timedelta(d)).isoformat(), "part_of_day": part}
              for d, part in ((7, "morning"), (14, "afternoon"), (21, "full_day"))]
    p.step("the Year 6 transition plan", "RecordTransitionPlan", head, {
        "receiving_school_id": SECONDARY_SCHOOL, "planned_visits": visits, "information_shared": True,
        "lead_professional": TRAINED_STAFF[1], "needs_and_support": p.text("A named adult on arrival"),
        "parental_involvement": p.text("Grandparent joins the first visit"),
    }, _ok("TransitionPlanRecorded"), placement=True)
    transfer = {"transfer_id": str(uuid4())}
    p.step("the primary school asks to move the pupil onto the secondary school's roll", "RequestPupilTransfer", head,
           {**transfer, "to_school_id": SECONDARY_SCHOOL, "requested_on": t.isoformat()}, _ok("PupilTransferRequested"))
    # The request waits for the local authority's confirmation (not given today: the pupil stays on the
    # primary school's roll, whose DPO answers for the record in the privacy checks).
    p.step("REFUSED: the school confirms its own request", "ConfirmPupilTransfer", head,
           {**transfer, "effective_from": t.isoformat()}, _no(403, "transfer.confirmed_by_other_party"))
    p.step("the placement ends with the move to secondary", "EndPlacement", Persona.PROVISION_MANAGER, {
        "end_date": t.isoformat(), "reason": "transition_to_secondary", "destination_id": SECONDARY_SCHOOL,
        "summary": p.text("Ready for secondary with a transition plan"),
    }, _ok("PlacementEnded"), placement=True)
    p.step("REFUSED: attendance on the ended placement", "RecordAttendance", Persona.PROVISION_STAFF,
           {"session_date": t.isoformat(), "session": "AM", "code": "/"}, _no(409, "placement.closed_after_end"),
           placement=True)


# ----------------------------------------------------------------------------- cedar: EHCP, out of key stage


def _cedar(day: ScriptedDay, token_for: TokenFor) -> None:
    p = _Pupil(day, token_for, "cedar", Channel.HTTP, "Rowan Pellingham", date(2013, 11, 19),
               "Parent on 07700 900733")
    t, yesterday = day.today, day.today - timedelta(1)
    _admit(p, year_group="7", sen_status="E", referrer=Persona.HOME_HEAD)
    _consult(p, Persona.HOME_HEAD)
    eligibility = {"referral_id": str(p.referral_id), "decided_on": (t - timedelta(18)).isoformat(),
                   "outcome": "eligible", "rationale": p.text("Placement agreed at panel")}
    p.step("REFUSED: an EHCP pupil found eligible without exceptional circumstances", "DecideEligibility",
           Persona.PROVISION_MANAGER, eligibility, _no(422, "eligibility.ehcp_exceptional_circumstances"))
    p.step("eligibility with the exceptional circumstances recorded", "DecideEligibility", Persona.PROVISION_MANAGER,
           {**eligibility, "exceptional_circumstances": p.text("Specialist place not available until spring")},
           _ok("EligibilityDecided"))
    p.step("REFUSED: a KS2 place for a KS3 pupil without a meeting", "StartPlacement", Persona.PROVISION_MANAGER,
           _placement(p), _no(409, "placement.out_of_key_stage_meeting"))
    p.step("the multidisciplinary meeting", "RecordMultidisciplinaryMeeting", Persona.HOME_HEAD, {
        "referral_id": str(p.referral_id), "held_on": (t - timedelta(17)).isoformat(),
        "attendees": ["senco", "educational_psychologist", "home_school_head"], "considered_key_stage": "KS2",
        "recommends_placement": True, "needs_assessment": p.text("Primary-style small group suits the needs"),
    }, _ok("MultidisciplinaryMeetingRecorded"))
    p.step("the home school head approves the out-of-key-stage place", "ApproveOutOfKeyStagePlacement",
           Persona.HOME_HEAD, {
               "referral_id": str(p.referral_id), "provision_key_stage": "KS2",
               "approved_on": (t - timedelta(16)).isoformat(), "governing_body_agreed": True,
               "alternatives_considered": ["in_class_support", "reduced_timetable"],
               "rationale": p.text("Best interests of the child while a specialist place is found"),
           }, _ok("OutOfKeyStagePlacementApproved"))
    p.step("the provision's manager starts the placement", "StartPlacement", Persona.PROVISION_MANAGER,
           _placement(p), _ok("PlacementStarted"))
    _incident(p, Persona.PROVISION_DSL, "an incident recorded by the DSL")
    p.step("REFUSED: the provider ends the place as withdrawn on its own", "EndPlacement", Persona.PROVISION_MANAGER, {
        "end_date": yesterday.isoformat(), "reason": "place_withdrawn",
    }, _no(409, "placement.withdrawal_needs_commissioner"), placement=True)
    exclusion = p.step("the home school head excludes permanently", "IssuePermanentExclusion", Persona.HOME_HEAD, {
        "decided_on": yesterday.isoformat(), "effective_from": t.isoformat(), "primary_reason": "PA",
        "parents_informed": True, "account": p.text("Serious assault on a member of staff"),
    }, _ok("PermanentExclusionIssued"))
    p.step("the commissioner ends the placement after the exclusion", "EndPlacement", Persona.COMMISSIONER, {
        "end_date": t.isoformat(), "reason": "permanently_excluded",
    }, _ok("PlacementEnded"), placement=True)
    p.step("the governing board reinstates the pupil", "ReinstatePupil", Persona.HOME_HEAD, {
        "exclusion_record_id": _record_of(exclusion), "board_met_on": t.isoformat(),
        "reasons": p.text("The exclusion procedure was not followed"),
    }, _ok("PermanentExclusionReinstated"))
    p.step("REFUSED: the board upholds the exclusion it reinstated", "UpholdExclusion", Persona.HOME_HEAD, {
        "exclusion_record_id": _record_of(exclusion), "board_met_on": t.isoformat(),
        "parents_told_of_independent_review": True,
    }, _no(409, "board_decision.once"))
