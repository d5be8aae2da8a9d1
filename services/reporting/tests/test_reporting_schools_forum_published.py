"""The Schools Forum tables as at a moment and published with their provenance (issue 15), on the pipeline of
``test_reporting_as_at`` (its ``world``: incidents events through a real event store, relay and Kafka into the
reporting projections, a first batch, a noted moment, then corrections: an exclusion reinstated, a suspension
shortened). Rules served: the route stamps ``Report-As-At`` and ``Report-Recorded-By`` as every report does;
``POST /v1/reports/schools-forum/publications`` records ``ReportPublished`` with the read models' positions,
the report and rule versions, and on re-issue the figures the corrections changed; only the LA publishes it.
The same report as recorded by the moment, and after a rebuild, is checked by ``test_reporting_as_at`` itself
(its ``REPORTS`` include the Schools Forum tables). The world's commissioning read model reads an empty topic, and a
publication from a read model that has read nothing is refused (``test_reporting_publish_nothing_read``), so the
publishing test has it read a narrative first (no referral, case or roll: the tables are as before).
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind, utc_now
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_runtime.access import Role
from ap_runtime.eventstore import migrate
from ap_runtime.reports.provenance import ENGLAND
from ap_testing.reporting.narrative import narrative_events

from .test_reporting_as_at import REPORTS, World, at, world  # noqa: F401 - the pipeline fixture, reused
from .test_reporting_partnership_annual_api import apply_events, received
from .test_reporting_pipeline import FORUM, HEAD_A, LA, NP_LEAD, token

pytestmark = pytest.mark.integration

PUBLISH = "/v1/reports/schools-forum/publications"


def la() -> dict[str, str]:
    """A fresh LA officer's token: a token carries one publication command (``token_replay``)."""
    headers: dict[str, str] = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
    return headers
YEARS = {"from_year": "2023/24", "to_year": "2024/25"}


async def test_the_schools_forum_tables_say_what_day_and_moment_they_are_as_at_in_every_format(
        world: World) -> None:  # noqa: F811 - the fixture imported above
    moment = world.between.isoformat()
    for fmt in ("json", "csv"):
        response = await world.api.get(at(REPORTS["forum"][0], {"recorded_by": moment, "format": fmt}), headers=LA)
        assert response.status_code == 200, response.text
        assert response.headers["Report-As-At"] == str(world.between.date())
        assert response.headers["Report-Recorded-By"] == moment
        assert response.content == world.first[f"forum.{fmt}"]


async def test_a_schools_forum_publication_records_positions_versions_and_on_reissue_the_changes(
        world: World) -> None:  # noqa: F811 - the fixture imported above
    narrative = narrative_events("np-north", "2024/25", "lead", "chair", lambda section: f"{section}: our year.")
    await apply_events(world.pool, ReportingCommissioningFactsProjection(),
                       received(narrative, "narrative", "commissioning"))
    then = {**YEARS, "recorded_by": world.between.isoformat()}
    first_id = str(uuid4())
    response = await world.api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=LA)
    assert response.status_code == 201, response.text
    first = response.json()
    assert (first["report_kind"], first["edition"], first["changes"]) == ("schools_forum_panels", 1, [])
    assert first["positions"] and all(p["offset"] >= 0 for p in first["positions"])
    assert "commissioning" in {p["topic"] for p in first["positions"]}  # both read models' positions
    assert first["report_version"] == 1 and first["rule_versions"]["dfe.exclusion_counting"] == "1"
    assert first["period"]["label"] == "2023/24-2024/25-cumulative"
    again = await world.api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=LA)
    assert again.json() == first  # the same command publishes nothing more

    now = {**YEARS, "recorded_by": utc_now().isoformat()}
    second = (await world.api.post(PUBLISH, params=now, json={"command_id": str(uuid4())}, headers=la())).json()
    assert second["edition"] == 2
    assert second["changes"], "the reinstatement and the shortened suspension change the Forum's figures"
    exclusive = await world.api.post(PUBLISH, params={**then, "bands": "exclusive"},
                                     json={"command_id": str(uuid4())}, headers=la())
    assert exclusive.json()["edition"] == 1  # the other layout is another document, with its own editions


@pytest.mark.parametrize("caller", [FORUM, NP_LEAD, HEAD_A], ids=["forum_member", "partnership_lead", "head"])
async def test_only_the_local_authority_publishes_the_schools_forum_tables(
        world: World, caller: dict[str, str]) -> None:  # noqa: F811 - the fixture imported above
    await migrate(world.pool)  # the store's tables, whichever test runs first
    before = await world.pool.fetchval("SELECT count(*) FROM events")
    response = await world.api.post(PUBLISH, params={**YEARS, "recorded_by": world.between.isoformat()},
                                    json={"command_id": str(uuid4())}, headers=caller)
    assert response.status_code == 403, response.text
    assert await world.pool.fetchval("SELECT count(*) FROM events") == before


async def test_the_schools_forum_tables_are_not_published_for_a_forged_parameter_or_a_day_not_ended(
        world: World) -> None:  # noqa: F811 - the fixture imported above
    forged = await world.api.post(PUBLISH, params={**YEARS, "first_day": "2024-01-01"},
                                  json={"command_id": str(uuid4())}, headers=LA)
    assert forged.status_code == 422 and forged.json()["rule"] == "report.fixed_period", forged.text
    today_in_england = utc_now().astimezone(ENGLAND).date()
    today = await world.api.post(PUBLISH, params={**YEARS, "as_at": str(today_in_england)},
                                 json={"command_id": str(uuid4())}, headers=LA)
    assert today.status_code == 422 and today.json()["rule"] == "report.published_as_at_past_day", today.text
