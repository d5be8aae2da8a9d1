"""Today's register (provision staff): a morning and an afternoon mark for every pupil placed at the provision,
in one form, pre-filled with the marks already recorded today (issue 16); each mark given is one command to the
incidents service (it has no batch endpoint): a new mark is recorded, a changed one corrected (``register_marks``).

Rules served: WEB-FORM-1 (a mark that is not a known code is reported against its pupil's row, nothing sent);
a mark the service refuses is shown against that pupil's row in the service's words, while the other marks are
recorded; a recorded mark is not removed here (withdrawing an entry is the manager's, with a reason); sending the
form again records nothing twice (each change's command id is derived from what it changes).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_contracts.events.attendance_vocabulary import ATTENDANCE_CODES, AttendanceCode
from ap_web.context import Journey, Web, WebContext
from ap_web.identity import SignedInPerson
from ap_web.journeys.provision_pupils import PlacedPupil, placed_pupils
from ap_web.journeys.register_marks import SESSIONS, Mark, RecordedMark, recorded_marks, send_mark
from ap_web.journeys.staff import STAFF
from ap_web.pages import SCHOOL_CLOCK, Task
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import CheckedForm, Person

CODES = {"": "Not marked yet", **{code.value: f"{code.value}: {info.meaning[:1].upper()}{info.meaning[1:]}"
                                   for code, info in ATTENDANCE_CODES.items()}}
KNOWN = frozenset(code.value for code in AttendanceCode)

router = APIRouter()


def today() -> str:
    return datetime.now(SCHOOL_CLOCK).date().isoformat()


async def _sheet(web: WebContext, person: SignedInPerson, day: str
                 ) -> tuple[ServiceAnswer, list[PlacedPupil], dict[str, RecordedMark]]:
    """The provision's pupils and the marks held for ``day`` (the first refusal, if either is refused)."""
    answer, pupils = await placed_pupils(web, person)
    if not answer.ok:
        return answer, [], {}
    answer, held = await recorded_marks(web, person, day)
    return answer, pupils, held


@router.get("/register", response_class=HTMLResponse)
async def register(request: Request, web: Web, person: Person) -> Response:
    day = today()
    answer, pupils, held = await _sheet(web, person, day)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "staff/register.html", pupils=pupils, day=day, errors=[], recorded=[],
                            marks={name: mark.code for name, mark in held.items()}, held=held)


def _problems(marks: list[Mark], held: dict[str, RecordedMark]) -> list[FieldError]:
    """WEB-FORM-1 on the form as sent: a code from the list, no recorded mark cleared, something to save."""
    errors = [FieldError(mark.field, f"{mark.who}: choose a mark from the list")
              for mark in marks if mark.code and mark.code not in KNOWN]
    errors += [FieldError(mark.field, f"{mark.who}: already marked {held[mark.field].code}; choose the right mark "
                                      "(a recorded mark is not removed here)")
               for mark in marks if not mark.code and mark.field in held]
    if not errors and not any(mark.code for mark in marks):
        errors = [FieldError(marks[0].field if marks else "register", "Choose at least one mark")]
    return errors


@router.post("/register")
async def send_register(request: Request, posted: CheckedForm, web: Web, person: Person) -> Response:
    day = today()
    answer, pupils, held = await _sheet(web, person, day)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    marks = _marks(posted, pupils)
    errors = _problems(marks, held)
    changed = [mark for mark in marks if mark.code and (mark.field not in held or held[mark.field].code != mark.code)]
    recorded: list[Mark] = []
    for mark in changed if not errors else []:
        problem = await send_mark(web, person, mark, held.get(mark.field), day)
        if problem is None:
            recorded.append(mark)
        else:
            errors.append(problem)
    if errors:
        values = {mark.field: mark.code for mark in marks}
        return web.pages.render(request, "staff/register.html", status=422, pupils=pupils, day=day, marks=values,
                                errors=errors, recorded=recorded, held=held)
    done = {mark.field: "corrected" if mark.field in held else "recorded" for mark in recorded}
    return web.pages.render(request, "staff/register_done.html", day=day, sessions=SESSIONS,
                            marks=[(mark, done.get(mark.field, "already recorded")) for mark in marks if mark.code])


def _marks(posted: CheckedForm, pupils: list[PlacedPupil]) -> list[Mark]:
    return [Mark(pupil, session, str(posted.get(f"{session.value.lower()}-{pupil.placement_id}", "")).strip())
            for pupil in pupils for session in SESSIONS]


def register_items(chosen: str) -> list[dict[str, object]]:
    """The marks as GOV.UK select items, the one given selected."""
    return [{"value": code, "text": text, "selected": code == chosen} for code, text in CODES.items()]


JOURNEY = Journey(router=router, tasks=(
    Task("/register", "Today's register", STAFF, "Morning and afternoon marks for every pupil"),
), template_globals={"register_items": register_items})
