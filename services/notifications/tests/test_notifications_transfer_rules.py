"""Safeguarding file transfer (KCSIE): offered with a 5-school-day deadline, confirmed by the
receiving DSL only, overdue once the deadline has passed unconfirmed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from ap_contracts.events.notifications import Audience
from ap_contracts.events.privacy import SafeguardingFileReceiptConfirmed, SafeguardingFileTransferOverdue
from ap_contracts.events.pupil_vocabulary import PlacementEndReason, Severity
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.commands import ConfirmFileReceipt, OfferTransfer
from ap_notifications.domain.errors import (
    OnlyReceivingDslConfirms,
    TransferAlreadyOfferedDifferently,
    TransferNotFound,
    TransferToSameSetting,
)
from ap_notifications.domain.placement_terms import PlacementTerms, ThresholdChange, Thresholds
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.domain.school_days import WEEKDAYS_ONLY, add_weekdays, is_weekday
from ap_notifications.domain.transfer_alerts import offered_alerts, overdue_alerts
from ap_notifications.domain.transfers import (
    decide_confirm,
    decide_offer,
    decide_overdue,
    offer_after_placement_end,
    transfer_id_after_placement_end,
)
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NEW_SCHOOL, PARTNERSHIP, PROVISION, Events

MONDAY = date(2025, 3, 10)


def offer(**kw: object) -> OfferTransfer:
    fields: dict[str, object] = {
        "transfer_id": uuid4(), "pupil_ref": uuid4(), "from_organisation_id": PROVISION,
        "to_organisation_id": NEW_SCHOOL, "receiving_dsl_organisation_id": NEW_SCHOOL,
        "offered_at": datetime(2025, 3, 10, 15, tzinfo=UTC),
    }
    return OfferTransfer(**(fields | kw))  # type: ignore[arg-type]


def terms(ev: Events) -> PlacementTerms:
    return PlacementTerms(ev.placement_id, ev.pupil_ref, PROVISION, HOME_SCHOOL, COMMISSIONER, PARTNERSHIP,
                          (ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90)),))


# -- school days -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "expected"), [
    (date(2025, 3, 10), date(2025, 3, 17)),  # Monday -> next Monday
    (date(2025, 3, 12), date(2025, 3, 19)),  # Wednesday -> next Wednesday
    (date(2025, 3, 14), date(2025, 3, 21)),  # Friday -> next Friday
    (date(2025, 3, 15), date(2025, 3, 21)),  # Saturday: Monday is the first school day
    (date(2025, 3, 16), date(2025, 3, 21)),  # Sunday too
])
def test_five_school_days_skip_weekends(start: date, expected: date) -> None:
    # The fallback count, for a receiving setting with no recorded calendar (school_days.py).
    assert add_weekdays(start, 5) == expected


def test_the_weekday_fallback_counts_weekdays_only() -> None:
    assert is_weekday(date(2025, 12, 25))  # Christmas Day is a weekday: the fallback knows no holidays
    assert not is_weekday(date(2025, 3, 15))
    assert add_weekdays(MONDAY, 0) == MONDAY
    with pytest.raises(ValueError):
        add_weekdays(MONDAY, -1)


# -- offer ----------------------------------------------------------------------------------------------

def test_an_offer_is_due_five_school_days_after_the_offer_day() -> None:
    [offered] = decide_offer([], offer(), DEFAULT_RULE_BOOK)
    assert offered.due_by == date(2025, 3, 17)
    assert offered.receiving_dsl_organisation_id == NEW_SCHOOL
    # NEW_SCHOOL is in no recorded calendar: the deadline says it fell back to weekdays.
    assert (offered.due_by_counted_with, offered.rule_version) == (WEEKDAYS_ONLY, DEFAULT_RULE_BOOK.version)


def test_the_deadline_is_configuration() -> None:
    [offered] = decide_offer([], offer(), AlertRuleBook(transfer_school_days=10))
    assert offered.due_by == date(2025, 3, 24)


def test_offering_the_same_transfer_again_records_nothing() -> None:
    command = offer()
    history = decide_offer([], command, DEFAULT_RULE_BOOK)
    assert decide_offer(history, command, DEFAULT_RULE_BOOK) == []


def test_the_same_transfer_cannot_be_offered_to_another_setting() -> None:
    command = offer()
    history = decide_offer([], command, DEFAULT_RULE_BOOK)
    other = offer(transfer_id=command.transfer_id, pupil_ref=command.pupil_ref, to_organisation_id="school-else",
                  receiving_dsl_organisation_id="school-else")
    with pytest.raises(TransferAlreadyOfferedDifferently):
        decide_offer(history, other, DEFAULT_RULE_BOOK)


def test_a_file_is_not_transferred_to_the_setting_that_holds_it() -> None:
    with pytest.raises(TransferToSameSetting):
        decide_offer([], offer(to_organisation_id=PROVISION), DEFAULT_RULE_BOOK)


# -- confirmation ---------------------------------------------------------------------------------------

def test_only_the_receiving_dsl_confirms_receipt() -> None:
    command = offer()
    history = decide_offer([], command, DEFAULT_RULE_BOOK)
    with pytest.raises(OnlyReceivingDslConfirms):
        decide_confirm(history, ConfirmFileReceipt(command.transfer_id, HOME_SCHOOL, datetime(2025, 3, 11, tzinfo=UTC)))
    [confirmed] = decide_confirm(
        history, ConfirmFileReceipt(command.transfer_id, NEW_SCHOOL, datetime(2025, 3, 11, tzinfo=UTC)))
    assert isinstance(confirmed, SafeguardingFileReceiptConfirmed)
    again = ConfirmFileReceipt(command.transfer_id, NEW_SCHOOL, datetime.now(UTC))
    assert decide_confirm([*history, confirmed], again) == []


def test_a_transfer_never_offered_cannot_be_confirmed() -> None:
    with pytest.raises(TransferNotFound):
        decide_confirm([], ConfirmFileReceipt(uuid4(), NEW_SCHOOL, datetime.now(UTC)))


# -- overdue ---------------------------------------------------------------------------------------------

def test_a_transfer_is_not_overdue_on_its_due_date_and_is_the_day_after() -> None:
    history = decide_offer([], offer(), DEFAULT_RULE_BOOK)
    assert decide_overdue(history, date(2025, 3, 17)) == []
    [overdue] = decide_overdue(history, date(2025, 3, 18))
    assert isinstance(overdue, SafeguardingFileTransferOverdue)
    assert (overdue.due_by, overdue.detected_on) == (date(2025, 3, 17), date(2025, 3, 18))


def test_an_overdue_transfer_is_recorded_once() -> None:
    history = decide_offer([], offer(), DEFAULT_RULE_BOOK)
    history += decide_overdue(history, date(2025, 3, 18))
    assert decide_overdue(history, date(2025, 3, 25)) == []


def test_a_confirmed_transfer_is_never_overdue() -> None:
    command = offer()
    history = list(decide_offer([], command, DEFAULT_RULE_BOOK))
    history += decide_confirm(
        history, ConfirmFileReceipt(command.transfer_id, NEW_SCHOOL, datetime(2025, 3, 12, tzinfo=UTC)))
    assert decide_overdue(history, date(2025, 4, 1)) == []
    assert decide_overdue([], date(2025, 4, 1)) == []


def test_an_overdue_transfer_alerts_both_dsls_urgently() -> None:
    history = decide_offer([], offer(), DEFAULT_RULE_BOOK)
    [overdue] = decide_overdue(history, date(2025, 3, 19))
    alerts = overdue_alerts(history[0], overdue, uuid4())
    assert {(a.audience, a.recipient_organisation_id) for a in alerts} == {
        (Audience.DSL, PROVISION), (Audience.DSL, NEW_SCHOOL)}
    assert {a.priority for a in alerts} == {Priority.URGENT}
    assert alerts[0].threshold is not None and alerts[0].threshold.observed_value == 2


def test_an_offer_tells_the_receiving_dsl() -> None:
    [offered] = decide_offer([], offer(), DEFAULT_RULE_BOOK)
    [alert] = offered_alerts(offered, uuid4())
    assert (alert.audience, alert.recipient_organisation_id) == (Audience.DSL, NEW_SCHOOL)
    assert alert.link_path == f"/safeguarding/transfers/{offered.transfer_id}"


# -- placement endings that start a transfer ------------------------------------------------------------

@pytest.mark.parametrize("reason", [PlacementEndReason.MANAGED_MOVE, PlacementEndReason.SPECIALIST_PROVISION,
                                    PlacementEndReason.TRANSITION_TO_SECONDARY, PlacementEndReason.LEFT_AREA])
def test_a_move_to_a_named_setting_starts_a_transfer_to_it(ev: Events, reason: PlacementEndReason) -> None:
    ended = ev.ended(reason=reason, destination_id=NEW_SCHOOL)
    event_id = uuid4()
    at = datetime(2025, 3, 14, 16, tzinfo=UTC)
    command = offer_after_placement_end(ended, event_id, at, terms(ev), DEFAULT_RULE_BOOK)
    assert command is not None
    assert (command.from_organisation_id, command.to_organisation_id, command.receiving_dsl_organisation_id) == (
        PROVISION, NEW_SCHOOL, NEW_SCHOOL)
    assert command.transfer_id == transfer_id_after_placement_end(event_id)
    assert (command.offered_at, command.pupil_ref) == (at, ev.pupil_ref)


def test_reintegration_sends_the_file_back_to_the_home_school(ev: Events) -> None:
    ended = ev.ended(reason=PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, destination_id=None)
    command = offer_after_placement_end(ended, uuid4(), datetime.now(UTC), terms(ev), DEFAULT_RULE_BOOK)
    assert command is not None and command.to_organisation_id == HOME_SCHOOL


@pytest.mark.parametrize("reason", [PlacementEndReason.MANAGED_MOVE, PlacementEndReason.LEFT_AREA])
def test_no_transfer_starts_when_the_receiving_setting_is_unknown(ev: Events, reason: PlacementEndReason) -> None:
    ended = ev.ended(reason=reason, destination_id=None)
    assert offer_after_placement_end(ended, uuid4(), datetime.now(UTC), terms(ev), DEFAULT_RULE_BOOK) is None


def test_no_transfer_to_the_provision_itself(ev: Events) -> None:
    ended = ev.ended(destination_id=PROVISION)
    assert offer_after_placement_end(ended, uuid4(), datetime.now(UTC), terms(ev), DEFAULT_RULE_BOOK) is None


def test_the_transfer_of_a_placement_end_has_one_id_on_every_replay() -> None:
    event_id = uuid4()
    assert transfer_id_after_placement_end(event_id) == transfer_id_after_placement_end(event_id)
    assert transfer_id_after_placement_end(event_id) != transfer_id_after_placement_end(uuid4())
