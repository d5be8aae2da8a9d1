"""Who may act on an agreement (issue 13; policy COMM-SLA-*): judged on the agreement's stored parties and the
verified token, never on a party the body names. Hostile cases: another provision's agreement, another
commissioner's, a forged party field, signing as the other party, drafting as the provider."""

from __future__ import annotations

from .conftest import (
    COMMISSIONER,
    COMMISSIONER_LEAD,
    OTHER_COMMISSIONER,
    OTHER_COMMISSIONER_LEAD,
    OTHER_PROVIDER_MANAGER,
    OTHER_PROVISION,
    PROVIDER_MANAGER,
    PROVIDER_STAFF,
    PROVISION,
    World,
    agreed_version,
    sla_path,
    terms,
)


async def test_another_provisions_manager_can_neither_sign_nor_read(world: World) -> None:
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1, terms=terms())
    assert drafted.status_code == 200
    stored = await world.event_count()

    signed = await world.post(OTHER_PROVIDER_MANAGER, sla_path("/versions/1/signatures"))
    read = await world.get(OTHER_PROVIDER_MANAGER, sla_path())

    assert signed.status_code == 403, signed.text
    assert signed.json()["type"] == "urn:ap:problem:access-denied"
    assert read.status_code == 403
    assert await world.event_count() == stored


async def test_another_commissioner_can_neither_sign_nor_read_nor_draft_for_it(world: World) -> None:
    await agreed_version(world, 1)
    stored = await world.event_count()

    read = await world.get(OTHER_COMMISSIONER_LEAD, sla_path())
    drafted = await world.post(OTHER_COMMISSIONER_LEAD, sla_path("/versions"), version=2, terms=terms())

    assert read.status_code == 403
    assert drafted.status_code == 403
    assert await world.event_count() == stored
    # Nor may it open an agreement in another commissioner's name.
    opened = await world.post(OTHER_COMMISSIONER_LEAD, sla_path("/versions", OTHER_PROVISION, COMMISSIONER),
                              version=1, terms=terms())
    assert opened.status_code == 403
    assert await world.event_count() == stored


async def test_a_forged_party_in_the_body_is_refused_and_nothing_is_signed(world: World) -> None:
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1, terms=terms())
    assert drafted.status_code == 200
    stored = await world.event_count()

    for forged in ({"party": "commissioner"}, {"signed_by": "np-lead-1"}, {"commissioner_id": COMMISSIONER}):
        answer = await world.post(PROVIDER_MANAGER, sla_path("/versions/1/signatures"), **forged)
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == list(forged)
    assert await world.event_count() == stored


async def test_the_provider_cannot_sign_as_the_commissioner(world: World) -> None:
    """The party is the one the agreement records for the caller's organisation: the provider's second
    signature is refused, so the commissioner's is still missing and nothing is in force."""
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1, terms=terms())
    assert drafted.status_code == 200
    first = await world.post(PROVIDER_MANAGER, sla_path("/versions/1/signatures"))
    other_manager_same_provision = PROVIDER_MANAGER.__class__("pbp-manager-2", PROVISION,
                                                              PROVIDER_MANAGER.org_kind, PROVIDER_MANAGER.role)
    second = await world.post(other_manager_same_provision, sla_path("/versions/1/signatures"))

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["rule"] == "sla.signed_once_per_party"
    view = (await world.get(COMMISSIONER_LEAD, sla_path())).json()
    assert [s["party"] for s in view["versions"][0]["signatures"]] == ["provider"]
    assert view["in_force_version"] is None


async def test_the_provider_and_its_staff_may_not_draft(world: World) -> None:
    for caller in (PROVIDER_MANAGER, PROVIDER_STAFF):
        answer = await world.post(caller, sla_path("/versions"), version=1, terms=terms())
        assert answer.status_code == 403
    assert await world.event_count() == 0


async def test_each_party_lists_only_its_own_agreements(world: World) -> None:
    await agreed_version(world, 1)
    other = await world.post(OTHER_COMMISSIONER_LEAD, sla_path("/versions", OTHER_PROVISION, OTHER_COMMISSIONER),
                             version=1, terms=terms())
    assert other.status_code == 200

    def pairs(body: list[dict[str, str]]) -> list[tuple[str, str]]:
        return [(s["provision_id"], s["commissioner_id"]) for s in body]

    assert pairs((await world.get(PROVIDER_MANAGER, "/v1/slas")).json()) == [(PROVISION, COMMISSIONER)]
    assert pairs((await world.get(PROVIDER_STAFF, "/v1/slas")).json()) == [(PROVISION, COMMISSIONER)]
    assert pairs((await world.get(COMMISSIONER_LEAD, "/v1/slas")).json()) == [(PROVISION, COMMISSIONER)]
    assert pairs((await world.get(OTHER_COMMISSIONER_LEAD, "/v1/slas")).json()) == [(OTHER_PROVISION,
                                                                                     OTHER_COMMISSIONER)]
    assert (await world.get(OTHER_PROVIDER_MANAGER, f"/v1/provisions/{PROVISION}/slas/in-force",
                            on="2026-10-01")).json() == []
    seen_by_provider = await world.get(PROVIDER_MANAGER, f"/v1/provisions/{PROVISION}/slas/in-force",
                                       on="2026-10-01")
    assert [v["version"] for v in seen_by_provider.json()] == [1]
