"""The register of organisations carries an optional display name (issue 12, "Names"): what finance reports
show beside an organisation's id. A name is a registered fact like the others: the same name again records
nothing, a new one records a new registration that replaces it, and an empty name is refused, naming the field.
Access never rests on the name (it is not used by any relationship)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import OrganisationRegistered
from ap_incidents.domain import command_models as c
from ap_incidents.domain.organisations import decide_registration, evolve_organisation

pytestmark = pytest.mark.unit


def school(name: str | None) -> c.RegisterOrganisation:
    return c.RegisterOrganisation(command_id=uuid4(), organisation_id="school-host-1", kind=OrgKind.HOST_SCHOOL,
                                  local_authority_id="la-1", name=name)


def test_a_registration_records_the_name_and_a_new_name_replaces_it() -> None:
    [registered] = decide_registration(school("Hillside Academy"), None)
    assert isinstance(registered, OrganisationRegistered) and registered.name == "Hillside Academy"
    current = evolve_organisation(None, registered)
    assert current is not None and current.name == "Hillside Academy"
    assert decide_registration(school("Hillside Academy"), current) == []
    [renamed] = decide_registration(school("Hillside Church of England Academy"), current)
    after = evolve_organisation(current, renamed)
    assert after is not None and after.name == "Hillside Church of England Academy"
    assert after.local_authority_id == "la-1"


def test_an_older_registration_without_a_name_still_reads() -> None:
    event = OrganisationRegistered.model_validate({"organisation_id": "la-1", "kind": "local_authority"})
    current = evolve_organisation(None, event)
    assert current is not None and current.name is None


def test_an_empty_name_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        school("")
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [(("name",), "string_too_short")]
