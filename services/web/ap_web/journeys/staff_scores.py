"""The pupil's engagement scores as they stand, the choices of the score-amendment form (issue 16).

Rule served: staff pick the score to amend from the scores the incidents service holds for the pupil (its behaviour
log, read as the person: never a reference typed), each shown with its day, session and score as last amended; a
withdrawn score is not offered. A score id posted that is not among them is "Select the score to amend", nothing
sent (WEB-FORM-1).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ap_web.context import ServiceUnavailable, WebContext
from ap_web.identity import SignedInPerson
from ap_web.journeys.provision_pupils import PlacedPupil
from ap_web.journeys.staff_forms import PupilForm
from ap_web.pages import date_in_words

_SESSIONS = {"AM": "morning", "PM": "afternoon"}


def _entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    entries = body.get("entries")
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _details(entry: dict[str, Any]) -> dict[str, Any]:
    details = entry.get("details")
    return details if isinstance(details, dict) else {}


def score_choices(entries: list[dict[str, Any]]) -> dict[str, str]:
    """Each recorded, not withdrawn score (record id -> its words), with the score of its last amendment."""
    amended = {str(_details(e).get("score_record_id")): _details(e).get("score")
               for e in entries if e.get("event_type") == "EngagementScoreAmended"}
    choices: dict[str, str] = {}
    for entry in entries:
        if entry.get("event_type") != "EngagementScoreRecorded" or entry.get("withdrawn"):
            continue
        record_id, details = str(entry.get("record_id")), _details(entry)
        session = _SESSIONS.get(str(details.get("session")), "whole day")
        score = amended.get(record_id, details.get("score"))
        choices[record_id] = f"Score {score}, {session} of {date_in_words(details.get('scored_on'))}"
    return choices


async def with_recorded_scores(web: WebContext, person: SignedInPerson, pupil: PlacedPupil,
                               form: PupilForm) -> PupilForm:
    """``form`` with the pupil's scores as the choices of its first question."""
    answer = await web.client("incidents").get(f"/v1/pupils/{pupil.pupil_ref}/behaviour-log", person)
    if answer.status >= 500:
        raise ServiceUnavailable("incidents")
    choices = score_choices(_entries(answer.body)) if answer.ok else {}
    which, *others = form.questions
    return replace(form, questions=(replace(which, choices=choices), *others))
