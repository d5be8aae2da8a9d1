"""Service level agreements through the commissioning API on the real PostgreSQL (issue 13): agree, sign twice,
in force; the version in force on a date; a new version supersedes."""

from __future__ import annotations

from uuid import uuid4

from .conftest import (
    COMMISSIONER,
    COMMISSIONER_LEAD,
    PROVIDER_MANAGER,
    PROVISION,
    World,
    agreed_version,
    sla_path,
    terms,
)


async def test_a_version_is_in_force_only_once_both_parties_signed(world: World) -> None:
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1, terms=terms())
    assert drafted.status_code == 200, drafted.text
    assert drafted.json()["event_types"] == ["SlaVersionDrafted"]

    provider = await world.post(PROVIDER_MANAGER, sla_path("/versions/1/signatures"))
    assert provider.json()["event_types"] == ["SlaVersionSigned"]
    none_yet = await world.get(PROVIDER_MANAGER, sla_path("/in-force"), on="2026-10-01")
    assert none_yet.status_code == 404
    assert none_yet.json()["rule"] == "sla.in_force_on_date"

    commissioner = await world.post(COMMISSIONER_LEAD, sla_path("/versions/1/signatures"))
    assert commissioner.json()["event_types"] == ["SlaVersionSigned", "SlaVersionAgreed"]
    in_force = await world.get(PROVIDER_MANAGER, sla_path("/in-force"), on="2026-10-01")
    assert in_force.status_code == 200, in_force.text
    body = in_force.json()
    assert body["version"] == 1
    assert body["terms"]["attendance_threshold_percent"] == 85
    assert body["terms"]["places_by_phase"] == [{"phase": "primary", "places": 8}]
    assert sorted(s["party"] for s in body["signatures"]) == ["commissioner", "provider"]
    assert body["in_force_from"] == "2026-09-01"
    after_end = await world.get(PROVIDER_MANAGER, sla_path("/in-force"), on="2027-09-01")
    assert after_end.status_code == 404


async def test_a_later_version_supersedes_from_the_day_it_is_in_force(world: World) -> None:
    await agreed_version(world, 1)
    world.today = world.today.replace(month=12, day=1)
    await agreed_version(world, 2, starts_on="2027-01-04", attendance_threshold_percent=90)

    before = await world.get(COMMISSIONER_LEAD, sla_path("/in-force"), on="2026-12-15")
    after = await world.get(COMMISSIONER_LEAD, sla_path("/in-force"), on="2027-02-01")
    assert before.json()["version"] == 1
    assert after.json()["version"] == 2
    assert after.json()["supersedes_version"] == 1
    assert after.json()["terms"]["attendance_threshold_percent"] == 90

    listed = await world.get(PROVIDER_MANAGER, f"/v1/provisions/{PROVISION}/slas/in-force", on="2027-02-01")
    assert [(v["commissioner_id"], v["version"]) for v in listed.json()] == [(COMMISSIONER, 2)]


async def test_signed_late_a_version_is_in_force_from_its_second_signature(world: World) -> None:
    world.today = world.today.replace(month=10, day=5)
    await agreed_version(world, 1)
    answer = await world.get(PROVIDER_MANAGER, sla_path("/in-force"), on="2026-10-05")
    assert answer.json()["in_force_from"] == "2026-10-05"
    earlier = await world.get(PROVIDER_MANAGER, sla_path("/in-force"), on="2026-10-04")
    assert earlier.status_code == 404


async def test_a_retried_command_answers_its_first_outcome_and_records_nothing_again(world: World) -> None:
    body = {"command_id": str(uuid4()), "version": 1, "terms": terms()}
    first = await world.api.post(sla_path("/versions"), json=body, headers=COMMISSIONER_LEAD.headers)
    again = await world.api.post(sla_path("/versions"), json=body, headers=COMMISSIONER_LEAD.headers)

    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["event_ids"] == first.json()["event_ids"]
    assert await world.event_count() == 1


async def test_a_command_id_reused_for_another_agreement_is_refused(world: World) -> None:
    command_id = str(uuid4())
    first = await world.api.post(sla_path("/versions"), json={"command_id": command_id, "version": 1,
                                                               "terms": terms()}, headers=COMMISSIONER_LEAD.headers)
    other = await world.api.post(sla_path("/versions", "pbp-other"), json={"command_id": command_id, "version": 1,
                                                                            "terms": terms()},
                                 headers=COMMISSIONER_LEAD.headers)
    assert first.status_code == 200
    assert other.status_code == 409, other.text
    assert other.json()["rule"] == "commissioning_command.id_unique"
    assert await world.event_count() == 1
