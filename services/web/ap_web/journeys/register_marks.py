"""The marks of today's register as the incidents service holds them, and each change sent to it (issue 16).

Rules served: the register shows the marks already recorded today (the service's read of the day, for the
provision's own staff), pre-filled, with who recorded them and when; a session not marked yet is recorded
(``RecordAttendance``); a session marked with another code is corrected (``AmendRecord`` of that mark, purpose
``record_correction``), never recorded twice; the same code again sends nothing. A refusal comes back as the reason
on the pupil's row, in the service's words where it gives them; the policy lets only the provision's manager or DSL
correct an entry, so staff told no are told who can. Each change's command id is derived from what it changes, so
a form sent twice changes nothing twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ap_contracts.events.attendance_vocabulary import Session
from ap_web.context import ServiceUnavailable, WebContext
from ap_web.identity import SignedInPerson
from ap_web.journeys.provision_pupils import PlacedPupil
from ap_web.pages import moment_in_words
from ap_web.refusals import FieldError, problem_errors
from ap_web.service_client import ServiceAnswer

#: The namespace of the marks' command ids (fixed: the same mark always has the same id).
MARKS = uuid.UUID("6b0d1f4e-8c47-4d0a-9a53-2f4f6f1f2b71")
SESSIONS = {Session.AM: "morning", Session.PM: "afternoon"}
CORRECTION_PURPOSE = "record_correction"


def field_of(session: Session | str, placement_id: str) -> str:
    """The form field of one pupil's session (``am-<placement>``)."""
    return f"{str(session).lower()}-{placement_id}"


@dataclass(frozen=True, slots=True)
class Mark:
    """A mark the form gives for one pupil's session (``code`` empty: none chosen)."""

    pupil: PlacedPupil
    session: Session
    code: str

    @property
    def field(self) -> str:
        return field_of(self.session, self.pupil.placement_id)

    @property
    def who(self) -> str:
        return f"{self.pupil.name}, {SESSIONS[self.session]}"


@dataclass(frozen=True, slots=True)
class RecordedMark:
    """A mark the service holds: the entry, its code now, and who recorded (and corrected) it when."""

    record_id: str
    code: str
    recorded_by: str
    recorded_at: str
    amended_by: str | None
    amended_at: str | None

    @property
    def said(self) -> str:
        """Who recorded it and when, in words (and who corrected it, when corrected)."""
        said = f"Recorded by {self.recorded_by}, {moment_in_words(self.recorded_at)}"
        if self.amended_by and self.amended_at:
            said += f"; corrected by {self.amended_by}, {moment_in_words(self.amended_at)}"
        return said


def _recorded(pupil: dict[str, object]) -> dict[str, RecordedMark]:
    marks: dict[str, RecordedMark] = {}
    for session in SESSIONS:
        held = pupil.get(session.value.lower())
        if isinstance(held, dict):
            marks[field_of(session, str(pupil.get("placement_id", "")))] = RecordedMark(
                str(held.get("record_id", "")), str(held.get("code", "")), str(held.get("recorded_by", "")),
                str(held.get("recorded_at", "")), _text(held.get("amended_by")), _text(held.get("amended_at")))
    return marks


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def recorded_marks(web: WebContext, person: SignedInPerson, day: str
                         ) -> tuple[ServiceAnswer, dict[str, RecordedMark]]:
    """The marks of ``day`` at the person's provision, by form field (the service's answer beside them)."""
    answer = await web.client("incidents").get(f"/v1/provisions/{person.organisation_id}/attendance/{day}", person)
    if answer.status >= 500:
        raise ServiceUnavailable("incidents")
    pupils = answer.body.get("pupils") if answer.ok else None
    marks: dict[str, RecordedMark] = {}
    for pupil in pupils if isinstance(pupils, list) else []:
        if isinstance(pupil, dict):
            marks |= _recorded(pupil)
    return answer, marks


async def send_mark(web: WebContext, person: SignedInPerson, mark: Mark, held: RecordedMark | None,
                    day: str) -> FieldError | None:
    """Record the mark, or correct the one held; its refusal as an error on the pupil's row (None: done)."""
    if held is None:
        command_id = uuid.uuid5(MARKS, f"{mark.pupil.placement_id}/{day}/{mark.session.value}/{mark.code}")
        answer = await web.client("incidents").post(
            f"/v1/pupils/{mark.pupil.pupil_ref}/attendance", person,
            {"command_id": str(command_id), "placement_id": mark.pupil.placement_id, "session_date": day,
             "session": mark.session.value, "code": mark.code})
    else:
        command_id = uuid.uuid5(MARKS, f"{held.record_id}/corrected/{mark.code}")
        answer = await web.client("incidents").call(
            "POST", f"/v1/pupils/{mark.pupil.pupil_ref}/amendments", person,
            {"command_id": str(command_id), "target_record_id": held.record_id, "reason": "wrong_value",
             "explanation": "Register corrected on the day", "corrected_values": {"code": mark.code}},
            headers={"X-Access-Purpose": CORRECTION_PURPOSE})
    return None if answer.ok else _refusal(answer, mark, held)


def _refusal(answer: ServiceAnswer, mark: Mark, held: RecordedMark | None) -> FieldError:
    if held is not None and answer.status == 403:
        return FieldError(mark.field, f"{mark.who}: already marked {held.code}; only the provision's manager or "
                                      "designated safeguarding lead can correct a recorded mark")
    if answer.status >= 500 or answer.status in (401, 403, 404):
        return FieldError(mark.field, f"{mark.who}: the mark could not be recorded; try again later")
    problem = problem_errors(answer.body, lambda _name: mark.field, {}, mark.field,
                             "the mark could not be recorded")[0]
    return FieldError(mark.field, f"{mark.who}: {problem.message}")
