"""The commissioning and finance topics for ``bench.reports`` (issue 15): events the other two reporting projections
read, encoded as the relay produces them.

Issue 15's must-show asks for the rebuild of *every* reporting projection over 1,000,000 events. Two of them read
the incidents topic (``bench.reports.events``); ``reporting_commissioning`` reads the commissioning topic and
``reporting_finance`` the finance topic, so each gets a topic of its own with ``count`` events of its kinds:

- commissioning: panel referrals and closed Fair Access cases in equal shares, one roll in ten (each school's
  roll recorded again supersedes the one before, the projection's one close-and-add path), over a region's
  panels; each referral and case its own stream, the rolls on the LA's stream, as commissioning's store keeps them;
- finance: budgets of a year each (budget, lines, spends, a commitment) from ``bench.reports_ledger``, on
  finance's own stream per budget (``budget-<provision>-<year>``), as many provisions as ``count`` needs.

A real year has hundreds of commissioning events and tens of thousands of finance events: these volumes measure
the projections' per-event cost at the scale the issue names, not a region's year.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_headcounts import PupilsOnRollRecorded, SchoolPhase
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, PanelReferralMade
from ap_contracts.events.commissioning_vocabulary import Phase
from ap_contracts.events.finance import FinanceEvent
from ap_runtime.eventstore.models import EncodedEvent
from bench.reports_ledger import ledger_events
from demo.synthetic_finance import LINES

_LA = "la-bench"
_ACTOR = Actor(user_id="bench-officer", organisation_id=_LA, roles=("la_officer",))
_YEARS = ("2022-23", "2023-24", "2024-25")
_PHASES = tuple(SchoolPhase)
_FINANCE_EVENTS_PER_BUDGET = 10_000


def encoded(event: DomainEvent, position: int, stream_id: str, version: int, event_id: uuid.UUID) -> EncodedEvent:
    """``event`` as the relay produces it, recorded ``position`` seconds after the year began."""
    at = datetime(2024, 9, 2, 9, tzinfo=UTC) + timedelta(seconds=position)
    envelope = EventEnvelope(
        event_id=event_id, event_type=event.event_type, schema_version=event.schema_version, stream_id=stream_id,
        stream_version=version, occurred_at=at, recorded_at=at, actor=_ACTOR, organisation_id=_LA,
        correlation_id=event_id, pii_subject=event.pii_subject(), payload=event.model_dump(mode="json"))
    return EncodedEvent(transaction_id=1, position=position, stream_id=stream_id, event_type=event.event_type,
                        schema_version=event.schema_version, event_id=event_id, correlation_id=event_id,
                        causation_id=None, envelope_json=envelope.model_dump_json().encode(), occurred_at=at)


def _ids(position: int) -> uuid.UUID:
    return uuid.UUID(int=position, version=4)


def _commissioning_event(k: int) -> tuple[DomainEvent, str]:
    """The ``k``th commissioning event and its stream."""
    panel = f"panel-{k % 6}"
    day = date(2024, 9, 2) + timedelta(days=k % 300)
    if k % 10 == 9:
        school = f"school-{(k // 10) % 400}"
        return (PupilsOnRollRecorded(local_authority_id=_LA, academic_year=_YEARS[k % 3], school_id=school,
                                     phase=_PHASES[(k // 10) % 400 % len(_PHASES)], pupils=200 + k % 900,
                                     recorded_by="bench-officer"), f"rolls-{_LA}")
    if k % 2 == 0:
        referral = _ids(k + 1)
        return (PanelReferralMade(panel_id=panel, referral_id=referral, pupil_ref=_ids(k % 40_000 + 10**9),
                                  phase=Phase.SECONDARY if k % 3 else Phase.PRIMARY, service_id="bas-1",
                                  referred_by="bench-senco", referred_by_organisation_id=f"school-{k % 400}",
                                  referred_on=day), f"referral-{referral}")
    case = _ids(k + 1)
    return (FairAccessCaseClosed(panel_id=panel, case_id=case, closed_on=day, placed_at=f"school-{k % 400}",
                                 placed_on=day, closed_by="bench-officer", school_days_without_place=k % 120,
                                 beyond_expectation=k % 120 > 20, counted_with=_LA), f"fair-access-{case}")


def commissioning_events(count: int) -> Iterator[EncodedEvent]:
    """``count`` commissioning events in the order recorded."""
    versions: dict[str, int] = {}
    for k in range(count):
        event, stream = _commissioning_event(k)
        versions[stream] = versions.get(stream, 0) + 1
        yield encoded(event, k + 1, stream, versions[stream], _ids(k + 10**12))


def finance_events(count: int) -> Iterator[EncodedEvent]:
    """``count`` finance events: whole budgets of about 10,000 events each, then the last budget's first events."""
    budgets = max(1, -(-count // _FINANCE_EVENTS_PER_BUDGET))
    spends = _FINANCE_EVENTS_PER_BUDGET - len(LINES) - 2  # its budget, lines and a commitment besides the spends
    produced = 0
    versions: dict[str, int] = {}
    for event in ledger_events(budgets, spends, seed=151):
        if produced == count:
            return
        assert isinstance(event, FinanceEvent)  # nosec B101 - ledger_events makes finance events only
        stream = f"budget-{event.provision_id}-{event.financial_year}"
        versions[stream] = versions.get(stream, 0) + 1
        produced += 1
        yield encoded(event, produced, stream, versions[stream], _ids(produced + 2 * 10**12))
    if produced < count:
        raise ValueError(f"the finance ledger gave {produced} events, fewer than {count}")
