"""Issue 14, rule ``looked_after_exclusion_virtual_school`` (STATUTORY.md: for a looked-after child the virtual school
head is told of suspensions and exclusions too).

The child's ``looked_after`` field is sealed in the pupil's events; the notifications worker reads only the
placement's ``looked_after_by``, the local authority looking after the child, and sends to that authority's virtual
school head. Negatives: a child not looked after (no ``looked_after_by``) gets no such message, nor does a
looked-after child's other record; and the message never falls back to the authority's office address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience, DeliveryFailure
from ap_contracts.events.pupil_vocabulary import ExclusionReason, Severity
from ap_contracts.events.school_exclusions import PermanentExclusionIssued, SuspensionIssued
from ap_notifications.adapters.directory import contact_for
from ap_notifications.application.dispatch import outbound
from ap_notifications.application.ports import DeliveryError
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.decide_alerts import AlertDecision, decide_alerts
from ap_notifications.domain.messages import render
from ap_notifications.domain.placement_terms import PlacementTerms, ThresholdChange, Thresholds
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.domain.rules import Situation
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NARRATIVE, PARTNERSHIP, PROVISION, Events

VSH = Audience.VIRTUAL_SCHOOL_HEAD
RULE = "looked_after_exclusion_virtual_school"
LOOKING_AFTER = "la-looking-after"  # another authority than the home school's: a child placed out of area
MONDAY = date(2025, 3, 10)


def terms(ev: Events, looked_after_by: str | None) -> PlacementTerms:
    return PlacementTerms(placement_id=ev.placement_id, pupil_ref=ev.pupil_ref, provision_id=PROVISION,
                          home_school_id=HOME_SCHOOL, commissioner_id=COMMISSIONER, partnership_id=PARTNERSHIP,
                          thresholds=(ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90)),),
                          local_authority_id=COMMISSIONER, looked_after_by=looked_after_by)


def suspension(ev: Events) -> SuspensionIssued:
    """One school day, parents told, within 5 days in the term: no other rule tells anyone (termly)."""
    return SuspensionIssued(
        pupil_ref=ev.pupil_ref, record_id=uuid4(), home_school_id=HOME_SCHOOL, placement_id=ev.placement_id,
        first_day=MONDAY, duration_half_days=2, academic_year="2024/25", year_total_half_days=6,
        primary_reason=ExclusionReason.DISRUPTIVE_BEHAVIOUR, parents_informed=True, account=NARRATIVE,
        rule_version="england-2026.2", term="2024-25 spring", term_total_half_days=2,
        local_authority_told_at_once=False)


def exclusion(ev: Events) -> PermanentExclusionIssued:
    return PermanentExclusionIssued(
        pupil_ref=ev.pupil_ref, record_id=uuid4(), home_school_id=HOME_SCHOOL, placement_id=ev.placement_id,
        decided_on=MONDAY, effective_from=date(2025, 3, 11), academic_year="2024/25",
        primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT, parents_informed=True, account=NARRATIVE,
        rule_version="england-2026.2")


def decide(event: DomainEvent, placement: PlacementTerms) -> AlertDecision:
    return decide_alerts(Situation(event, uuid4(), MONDAY, placement), DEFAULT_RULE_BOOK)


def to_vsh(decision: AlertDecision) -> list[tuple[str, str]]:
    return [(a.rule_name, a.recipient_organisation_id) for a in decision.alerts if a.audience is VSH]


def test_a_looked_after_childs_suspension_tells_the_virtual_school_head_of_the_authority_looking_after_them(
    ev: Events,
) -> None:
    decision = decide(suspension(ev), terms(ev, LOOKING_AFTER))
    assert [(a.rule_name, a.audience, a.recipient_organisation_id) for a in decision.alerts] == [
        (RULE, VSH, LOOKING_AFTER)]  # a short suspension, parents told: nobody else is told at once
    alert = decision.alerts[0]
    assert alert.priority is Priority.HIGH
    assert ("School days suspended in the 2024-25 spring term", "1") in alert.details
    message = render(alert)
    assert "virtual school head" in message.body and NARRATIVE not in message.subject + message.body


def test_a_looked_after_childs_permanent_exclusion_tells_the_virtual_school_head_with_its_date(ev: Events) -> None:
    decision = decide(exclusion(ev), terms(ev, LOOKING_AFTER))
    assert to_vsh(decision) == [(RULE, LOOKING_AFTER)]
    assert ("Takes effect", "2025-03-11") in next(a for a in decision.alerts if a.audience is VSH).details


@pytest.mark.parametrize("excluded", [suspension, exclusion])
def test_a_child_not_looked_after_gets_no_message_to_any_virtual_school_head(
    ev: Events, excluded: Callable[[Events], DomainEvent],
) -> None:
    assert to_vsh(decide(excluded(ev), terms(ev, None))) == []


def test_a_looked_after_childs_other_records_are_not_for_the_virtual_school_head(ev: Events) -> None:
    placement = terms(ev, LOOKING_AFTER)
    for event in (ev.incident(Severity.CRITICAL), ev.concern(immediate_risk=True), ev.intervention(), ev.ended()):
        assert to_vsh(decide(event, placement)) == [], event.event_type


def test_the_message_goes_to_the_virtual_school_heads_own_address_never_the_authoritys_office(ev: Events) -> None:
    alert = decide(suspension(ev), terms(ev, LOOKING_AFTER)).alerts[0]
    message = outbound(uuid4(), alert)
    directory = {LOOKING_AFTER: {"default": "office@la.test", "virtual_school_head": "vsh@la.test"}}
    assert contact_for(directory, message) == "vsh@la.test"
    with pytest.raises(DeliveryError) as refused:
        contact_for({LOOKING_AFTER: {"default": "office@la.test"}}, message)
    assert refused.value.failure is DeliveryFailure.NO_CONTACT_DETAILS
    # Another audience still falls back to the office: the rule is the virtual school head's alone.
    office = replace(message, audience=Audience.LA)
    assert contact_for({LOOKING_AFTER: {"default": "office@la.test"}}, office) == "office@la.test"
