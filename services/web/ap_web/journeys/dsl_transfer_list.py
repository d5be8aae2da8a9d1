"""The DSL's child-protection file transfers (issue 16): every transfer the DSL's setting sends or receives, each a
link to its page with its deadline tag, and the link each transfer alert takes to its transfer.

Rules served: the notifications service lists only the transfers naming the person's organisation as sender or
receiving DSL (policy NOT-DSL-1); anyone but a DSL gets the not-found page. An alert names its pupil but not its
transfer, so it links to that pupil's one transfer, or to the list of that pupil's transfers when there are more.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_notifications.domain.transfer_alerts import OFFERED_RULE, OVERDUE_RULE
from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.dsl_transfer import TRANSFERS, deadline_tag, today
from ap_web.pages import Task
from ap_web.refusals import refusal_page, refused
from ap_web.session import Person

TRANSFER_RULES = frozenset({OFFERED_RULE, OVERDUE_RULE})

router = APIRouter()


async def transfer_links(web: Web, person: Person, alerts: list[dict[str, Any]]) -> dict[str, str]:
    """notification id -> the page its transfer alert leads to (none for other alerts, or for anyone but a DSL)."""
    wanted = [a for a in alerts if a.get("rule_name") in TRANSFER_RULES and a.get("pupil_ref")]
    if not wanted or Role.DSL not in person.roles:
        return {}
    answer = await web.client("notifications").get(TRANSFERS, person)
    if not answer.ok:
        return {}
    transfers = answer.body.get("transfers") or []
    links: dict[str, str] = {}
    for alert in wanted:
        pupil = str(alert["pupil_ref"])
        own = [t for t in transfers if str(t.get("pupil_ref")) == pupil]
        links[str(alert["notification_id"])] = (f"/safeguarding/transfers/{own[0]['transfer_id']}" if len(own) == 1
                                                else f"/safeguarding/transfers?pupil={pupil}")
    return links


@router.get("/safeguarding/transfers", response_class=HTMLResponse)
async def transfers(request: Request, web: Web, person: Person) -> Response:
    if Role.DSL not in person.roles:
        return refused(web.pages, request)
    answer = await web.client("notifications").get(TRANSFERS, person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    pupil = request.query_params.get("pupil")
    try:
        pupil = None if pupil is None else str(uuid.UUID(pupil))
    except ValueError:
        return refused(web.pages, request)
    rows = [{**t, "tag": deadline_tag(t, today()),
             "direction": "Sent" if t.get("from_organisation_id") == person.organisation_id else "Received"}
            for t in answer.body.get("transfers") or [] if pupil is None or str(t.get("pupil_ref")) == pupil]
    return web.pages.render(request, "dsl/transfers.html", rows=rows, pupil=pupil)


JOURNEY = Journey(
    router=router,
    tasks=(Task("/safeguarding/transfers", "Child-protection file transfers", frozenset({Role.DSL}),
                "Files your setting sent or received, with their deadlines"),),
)
