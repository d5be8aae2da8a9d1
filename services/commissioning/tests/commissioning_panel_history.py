"""Given-histories of panels shared by the commissioning panel tests (not a test module)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.errors import CommissioningRefused
from ap_commissioning.domain.panel_state import fold_panel
from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_panels import (
    ContinuumServiceListed,
    PanelConstituted,
    PanelKind,
    PanelMeetingHeld,
    PanelMemberAppointed,
)
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, Phase

LA = "la-demo-county"
BATH = "panel-bath"
COSP = "panel-cosp"
MEMBER = "head-westfield"
STRANGER = "head-elsewhere"
MEETING = UUID("00000000-0000-0000-0000-00000000a001")
SERVICE = "svc-outreach"


def as_user(user: str, kind: OrgKind = OrgKind.HOME_SCHOOL, today: date = date(2026, 12, 5)) -> DecisionContext:
    return DecisionContext(user, f"org-of-{user}", today, organisation_kind=kind)


def refused(rule: str, decider: Any, command: object, history: list[CommissioningEvent],
            context: DecisionContext) -> None:
    """Given ``history``, when ``command``, then the refusal of ``rule`` (and so no event)."""
    with pytest.raises(CommissioningRefused) as refusal:
        decider(command, fold_panel(history), context)
    assert refusal.value.rule_id == rule


def bath_panel() -> list[CommissioningEvent]:
    """Bath's Behaviour and Attendance Panel with one member, one meeting and one outreach service."""
    return [
        PanelConstituted(panel_id=BATH, kind=PanelKind.BEHAVIOUR_ATTENDANCE, area_id="bath", name="Bath Panel",
                         local_authority_id=LA, constituted_by="officer-1"),
        PanelMemberAppointed(panel_id=BATH, user_id=MEMBER, organisation_id="school-westfield", sits_as="chair"),
        PanelMeetingHeld(panel_id=BATH, meeting_id=MEETING, held_on=date(2026, 6, 3), attended_by=(MEMBER,)),
        ContinuumServiceListed(panel_id=BATH, service_id=SERVICE, name="Behaviour outreach",
                               phases=(Phase.PRIMARY,), criteria="at risk of exclusion",
                               referrer_kinds=(OrgKind.HOME_SCHOOL,), expected_wait_school_days=10),
    ]


def cosp_panel() -> list[CommissioningEvent]:
    return [
        PanelConstituted(panel_id=COSP, kind=PanelKind.CHILDREN_OUTSIDE_SCHOOL, area_id="la-wide",
                         name="Children Outside of School Panel", local_authority_id=LA, constituted_by="officer-1"),
        PanelMemberAppointed(panel_id=COSP, user_id=MEMBER, organisation_id="la-demo-county", sits_as="officer"),
    ]
