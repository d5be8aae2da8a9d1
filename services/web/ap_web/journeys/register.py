"""Today's register (provision staff): a morning and an afternoon mark for every pupil placed at the provision,
in one form; each mark given is one RecordAttendance command (the incidents service has no batch endpoint).

Rules served: WEB-FORM-1 (a mark that is not a known code is reported against its pupil's row, nothing sent);
a mark the service refuses is shown against that pupil's row in the service's words, while the other marks are
recorded; sending the form again records nothing twice (each mark's command id is derived from the
placement, the day, the session and the code, so a retried mark is the same command).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_contracts.events.attendance_vocabulary import ATTENDANCE_CODES, AttendanceCode, Session
from ap_web.context import Journey, Web
from ap_web.identity import SignedInPerson
from ap_web.journeys.provision_pupils import PlacedPupil, placed_pupils
from ap_web.journeys.staff import STAFF
from ap_web.pages import SCHOOL_CLOCK, Task
from ap_web.refusals import FieldError, problem_errors, refusal_page, refused
from ap_web.session import CheckedForm, Person

#: The namespace of the marks' command ids (fixed: the same mark always has the same id).
MARKS = uuid.UUID("6b0d1f4e-8c47-4d0a-9a53-2f4f6f1f2b71")
SESSIONS = {Session.AM: "morning", Session.PM: "afternoon"}
CODES = {"": "Not marked yet", **{code.value: f"{code.value}: {info.meaning[:1].upper()}{info.meaning[1:]}"
                                   for code, info in ATTENDANCE_CODES.items()}}

router = APIRouter()


@dataclass(frozen=True, slots=True)
class Mark:
    pupil: PlacedPupil
    session: Session
    code: str

    @property
    def field(self) -> str:
        return f"{self.session.value.lower()}-{self.pupil.placement_id}"


def today() -> str:
    return datetime.now(SCHOOL_CLOCK).date().isoformat()


@router.get("/register", response_class=HTMLResponse)
async def register(request: Request, web: Web, person: Person) -> Response:
    answer, pupils = await placed_pupils(web, person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "staff/register.html", pupils=pupils, day=today(), marks={}, errors=[],
                            recorded=[])


@router.post("/register")
async def send_register(request: Request, posted: CheckedForm, web: Web, person: Person) -> Response:
    answer, pupils = await placed_pupils(web, person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    day = today()
    marks = [Mark(pupil, session, str(posted.get(f"{session.value.lower()}-{pupil.placement_id}", "")).strip())
             for pupil in pupils for session in SESSIONS]
    given = [mark for mark in marks if mark.code]
    known = {code.value for code in AttendanceCode}
    errors = [FieldError(mark.field, f"{mark.pupil.name}, {SESSIONS[mark.session]}: choose a mark from the list")
              for mark in given if mark.code not in known]
    if not given and not errors:
        errors = [FieldError(marks[0].field if marks else "register", "Choose at least one mark")]
    recorded: list[Mark] = []
    if not errors:
        for mark in given:
            problem = await _send(web, person, mark, day)
            if problem is None:
                recorded.append(mark)
            else:
                errors.append(problem)
    values = {mark.field: mark.code for mark in marks}
    if errors:
        return web.pages.render(request, "staff/register.html", status=422, pupils=pupils, day=day, marks=values,
                                errors=errors, recorded=recorded)
    return web.pages.render(request, "staff/register_done.html", day=day, recorded=recorded, sessions=SESSIONS)


async def _send(web: Web, person: SignedInPerson, mark: Mark, day: str) -> FieldError | None:
    """One mark to the incidents service; its refusal as an error on the pupil's row (None when recorded)."""
    command_id = uuid.uuid5(MARKS, f"{mark.pupil.placement_id}/{day}/{mark.session.value}/{mark.code}")
    answer = await web.client("incidents").post(
        f"/v1/pupils/{mark.pupil.pupil_ref}/attendance", person,
        {"command_id": str(command_id), "placement_id": mark.pupil.placement_id, "session_date": day,
         "session": mark.session.value, "code": mark.code})
    if answer.ok:
        return None
    who = f"{mark.pupil.name}, {SESSIONS[mark.session]}"
    if answer.status >= 500 or answer.status in (401, 403, 404):
        return FieldError(mark.field, f"{who}: the mark could not be recorded; try again later")
    problem = problem_errors(answer.body, lambda _name: mark.field, {}, mark.field,
                             "the mark could not be recorded")[0]
    return FieldError(mark.field, f"{who}: {problem.message}")


def register_items(chosen: str) -> list[dict[str, object]]:
    """The marks as GOV.UK select items, the one given selected."""
    return [{"value": code, "text": text, "selected": code == chosen} for code, text in CODES.items()]


JOURNEY = Journey(router=router, tasks=(
    Task("/register", "Today's register", STAFF, "Morning and afternoon marks for every pupil"),
), template_globals={"register_items": register_items})
