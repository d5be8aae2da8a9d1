"""The home school: its pupils in Alternative Provision, their weekly report (with its CSV download), and
the alerts sent to the school, each to acknowledge.

Rules served: the home school stays responsible for its pupils in AP (BRIEF.md sections 2, 4, 5). What it sees
is what the services show it: the placement register of its own pupils (policy REG-2), the weekly report on
its pupils, exact counts, any week (RPT-WEEK-1), and its organisation's alerts without safeguarding ones
(NOT-1; a DSL sees its own too, NOT-DSL-1). The virtual school head of a local authority reads and acknowledges its
alerts about looked-after children on the same alerts page; the notifications service shows each reader only its
own audience's alerts (NOT-1, inbox_audiences). The week asked for is checked here and named in words when wrong.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ap_notifications.domain.messages import TEMPLATES
from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.dsl_forms import date_error, found
from ap_web.journeys.dsl_transfer_list import transfer_links
from ap_web.journeys.home_school_exclusions import board_links
from ap_web.journeys.incident_form import CHOICES as INCIDENT_CHOICES
from ap_web.pages import SCHOOL_CLOCK, Task
from ap_web.refusals import refusal_page, refused
from ap_web.session import CheckedForm, Person

HOME_SCHOOL = frozenset({Role.HOME_SCHOOL_HEAD, Role.HOME_SCHOOL_STAFF})
# The virtual school head reads the alerts about the children its authority looks after on the same page.
ALERTED = frozenset({Role.HOME_SCHOOL_HEAD, Role.HOME_SCHOOL_STAFF, Role.DSL, Role.VIRTUAL_SCHOOL_HEAD})

router = APIRouter()


def _week(request: Request) -> tuple[date, list[Any]]:
    """The week asked for (any day of it, default this week) and the problem with it, if any."""
    asked = {"week_of": request.query_params.get("week_of", "").strip()}
    errors = found(date_error(asked, "week_of", "Enter the week as a date, like 2026-12-07"))
    if errors or not asked["week_of"]:
        return datetime.now(SCHOOL_CLOCK).date(), errors
    return date.fromisoformat(asked["week_of"]), errors


@router.get("/home-school/pupils", response_class=HTMLResponse)
async def pupils(request: Request, web: Web, person: Person) -> Response:
    answer = await web.client("incidents").get("/v1/placements", person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "home_school/pupils.html", placements=answer.body.get("placements") or [])


@router.get("/home-school/weekly-report", response_class=HTMLResponse)
async def weekly_report(request: Request, web: Web, person: Person) -> Response:
    week_of, errors = _week(request)
    pupil = request.query_params.get("pupil", "")
    answer = await web.client("reporting").get(f"/v1/reports/weekly/{person.organisation_id}", person,
                                               params={"week_of": week_of.isoformat()})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    learners = [learner for learner in answer.body.get("learners") or []
                if not pupil or learner.get("pupil_ref") == pupil]
    return web.pages.render(request, "home_school/weekly_report.html", status=422 if errors else 200,
                            report=answer.body, learners=learners, errors=errors, pupil=pupil,
                            week_of=week_of.isoformat(), asked=request.query_params.get("week_of", ""),
                            previous=(week_of - timedelta(7)).isoformat(),
                            following=(week_of + timedelta(7)).isoformat())


@router.get("/home-school/weekly-report.csv")
async def weekly_report_csv(request: Request, web: Web, person: Person) -> Response:
    week_of, errors = _week(request)
    if errors:
        return refused(web.pages, request)
    answer = await web.client("reporting").get(f"/v1/reports/weekly/{person.organisation_id}", person,
                                               params={"week_of": week_of.isoformat(), "format": "csv"})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return Response(answer.content, media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="weekly-report-{week_of.isoformat()}.csv"',
        "Cache-Control": "no-store"})


def severity_counts(by_severity: dict[str, int]) -> str:
    """The week's incidents by how serious they were, in words: ``2 moderate, 1 serious``."""
    words = INCIDENT_CHOICES["severity"]
    return ", ".join(f"{count} {words.get(str(level), str(level)).lower()}"
                     for level, count in sorted(by_severity.items(), key=lambda item: int(item[0])) if count)


def alert_title(rule_name: str) -> str:
    """The alert's heading as the notifications service words it for every channel."""
    return TEMPLATES[rule_name][0] if rule_name in TEMPLATES else rule_name.replace("_", " ").capitalize()


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(request: Request, web: Web, person: Person) -> Response:
    answer = await web.client("notifications").get("/v1/notifications", person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    alerts = answer.body.get("notifications") or []
    return web.pages.render(request, "home_school/alerts.html", alerts=alerts,
                            links={**await transfer_links(web, person, alerts), **board_links(person, alerts)},
                            acknowledged=request.query_params.get("acknowledged") == "1")


@router.post("/alerts/{notification_id}/acknowledge")
async def acknowledge(request: Request, web: Web, person: Person, _form: CheckedForm, notification_id: uuid.UUID
                      ) -> Response:
    answer = await web.client("notifications").post(f"/v1/notifications/{notification_id}/acknowledgement",
                                                    person, {})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return RedirectResponse("/alerts?acknowledged=1", status_code=303)


JOURNEY = Journey(
    router=router,
    tasks=(Task("/home-school/pupils", "Your pupils in Alternative Provision", HOME_SCHOOL,
                "Where each pupil is placed, and their weekly reports"),
           Task("/home-school/weekly-report", "Weekly report", HOME_SCHOOL,
                "Attendance, incidents, rewards and engagement of each pupil this week"),
           Task("/alerts", "Alerts", ALERTED, "What you were told about the children you answer for, to acknowledge")),
    template_globals={"alert_title": alert_title, "severity_counts": severity_counts},
)
