"""Who keeps term dates, as the register records it (issue 13): an LA for its own area, a school or provision for
itself under its registered LA; an unregistered organisation, or one of a kind that keeps no dates, is refused."""

from __future__ import annotations

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import TermDatesRecorded
from ap_incidents.domain import errors
from ap_incidents.domain.errors_calendar import TermDatesNotKept
from ap_incidents.domain.organisations import RegisteredOrganisation, decide_term_dates
from ap_runtime.school_days import half_terms_of

from .conftest import COMMISSIONER, HOME_SCHOOL, LOCAL_AUTHORITY, ORGANISATIONS
from .test_incidents_api_term_dates import term_dates


def _registered(organisation_id: str) -> RegisteredOrganisation:
    registered = ORGANISATIONS.get(organisation_id)
    assert registered is not None
    return registered


def test_an_la_records_for_itself_and_a_school_under_its_registered_la() -> None:
    [la_year] = decide_term_dates(term_dates(), _registered(LOCAL_AUTHORITY))
    assert isinstance(la_year, TermDatesRecorded) and la_year.local_authority_id == LOCAL_AUTHORITY
    [school] = decide_term_dates(term_dates(HOME_SCHOOL, half_terms=(), inset_days=la_year.inset_days),
                                 _registered(HOME_SCHOOL), half_terms_of(la_year))
    assert isinstance(school, TermDatesRecorded) and school.local_authority_id == LOCAL_AUTHORITY


def test_an_unregistered_organisation_or_a_commissioning_body_keeps_no_term_dates() -> None:
    with pytest.raises(errors.OrganisationNotRegistered):
        decide_term_dates(term_dates("school-unknown"), None)
    with pytest.raises(TermDatesNotKept) as refused:
        decide_term_dates(term_dates(COMMISSIONER, half_terms=(), inset_days=()), _registered(COMMISSIONER))
    assert refused.value.rule_id == "calendar.kept_by_school_or_la"
    assert _registered(COMMISSIONER).kind is OrgKind.COMMISSIONER
