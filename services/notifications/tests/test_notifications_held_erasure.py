"""Issue 16 follow-up: erasure reaches the messages waiting for their time (``notification_held``).

A held copy is the rendered message of an alert waiting for the daily digest, quiet hours or a retry. It holds no
name or narrative (the message shows the pupil by reference only, ``domain/messages.render``) and is deleted once
sent or given up, so it is needed only while it waits; but it ties the pupil's reference to what happened, and
would go out after the pupil's erasure. When the alert worker reads ``PupilDataErased`` the erased pupil's waiting
copies are deleted unsent; other pupils' copies in the same digest still go. Real PostgreSQL, controlled clock.
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from ap_contracts.events.notifications import Audience
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_notifications.domain.alerts import Priority
from ap_notifications.entrypoints.digest_check import send_due
from ap_notifications.projections.alerting import AlertingProjection
from ap_testing.notifications.builders import HOME_SCHOOL, received

from .test_notifications_api import apply_all
from .test_notifications_digests import Scheduled, alert, london
from .test_notifications_digests import scheduled as scheduled  # the fixture: services, clock, check env, outbox

pytestmark = pytest.mark.integration


async def test_an_erased_pupils_waiting_messages_are_dropped_unsent(scheduled: Scheduled) -> None:
    services, _clock, _env, outbox = scheduled
    erased_pupils = alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL)
    others = alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL)
    held = [await services.dispatcher.dispatch(a, uuid4()) for a in (erased_pupils, others)]
    assert not any(d.delivered_now for d in held)
    about = "SELECT count(*) FROM notification_held WHERE message->>'pupil_ref' = $1"
    assert await services.pool.fetchval(about, str(erased_pupils.pupil_ref)) == 1

    erasure = PupilDataErased(pupil_ref=erased_pupils.pupil_ref, reason=ErasureReason.ERASURE_REQUEST_UPHELD,
                              legal_basis="UK GDPR Art. 17(1)(a)", requested_by=ErasureRequester.DATA_SUBJECT)
    await apply_all(services, AlertingProjection(services.dispatcher, services.transfers, services.book,
                                                 codec=services.codec), [received(erasure)])
    assert await services.pool.fetchval(about, str(erased_pupils.pupil_ref)) == 0

    digests = await send_due(services, london(2, 16))
    assert [d.notification_ids for d in digests] == [(held[1].notification_id,)]
    sent = "".join(p.read_text() for p in outbox.iterdir() if not p.name.startswith(".tmp-"))
    assert str(others.pupil_ref) in sent and str(erased_pupils.pupil_ref) not in sent
