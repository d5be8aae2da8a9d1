"""A daily digest lists every alert it holds, an alert about no pupil included (issue 13: an agreement's overdue
review is for the commissioner and the provision, about no pupil); its line names no pupil. Unit level."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from ap_contracts.events.notifications import Audience
from ap_notifications.application.digests import Batch, digest_outbound
from ap_notifications.application.ports import OutboundMessage

pytestmark = pytest.mark.unit


def _message(subject: str, pupil_ref: UUID | None, link: str) -> OutboundMessage:
    return OutboundMessage(
        notification_id=uuid4(), rule_name="rule", template_id="rule", audience=Audience.COMMISSIONER,
        recipient_organisation_id="np-bath", pupil_ref=pupil_ref,
        cause_event_id=uuid4(), cause_event_type="Cause", priority="normal", link_path=link, subject=subject,
        body="")


def test_a_digest_lists_an_alert_about_no_pupil_without_a_pupil_reference() -> None:
    pupil = uuid4()
    batch = Batch(uuid4(), "digest", "np-bath", (
        _message("Placement ended", pupil, "/pupils/a/placements/b"),
        _message("Service level agreement review overdue", None, "/slas/pbp-1/np-bath/review-status")))
    assert digest_outbound(batch).body.splitlines() == [
        "2 alerts since your last digest:",
        f"- Placement ended (pupil reference {pupil}): /pupils/a/placements/b",
        "- Service level agreement review overdue: /slas/pbp-1/np-bath/review-status",
    ]
