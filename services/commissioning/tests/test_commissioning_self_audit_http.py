"""The provider self-audit through the commissioning API on the real PostgreSQL (seed 000, issue 13): asked
for by the commissioner, rated by the provider with evidence, moderated with a reason, the trend across years
read back; and the role and hostile cases: another provider, a forged provider field, a moderation by the
provider, another commissioner."""

from __future__ import annotations

from typing import Any

from .conftest import (
    COMMISSIONER,
    COMMISSIONER_LEAD,
    OTHER_COMMISSIONER_LEAD,
    OTHER_PROVIDER_MANAGER,
    PROVIDER_MANAGER,
    PROVIDER_STAFF,
    PROVISION,
    World,
)

FIRST, SECOND = "behaviour-01", "behaviour-02"


def audit_path(year: str, suffix: str = "", provider: str = PROVISION, commissioner: str = COMMISSIONER) -> str:
    return f"/v1/self-audits/{provider}/{commissioner}/{year}{suffix}"


async def _requested(world: World, year: str) -> None:
    asked = await world.post(COMMISSIONER_LEAD, audit_path(year, "/request"))
    assert asked.status_code == 200, asked.text
    assert asked.json()["event_types"] == ["SelfAuditRequested"]


async def _rate(world: World, year: str, statement: str, rating: str, **extra: Any) -> None:
    fields = {"evidence": "termly behaviour log analysis", "action_plan": "weekly log review", **extra}
    rated = await world.post(PROVIDER_MANAGER, audit_path(year, "/ratings"), statement_id=statement, rating=rating,
                             **fields)
    assert rated.status_code == 200, rated.text


async def _moderate(world: World, year: str, statement: str, rating: str, reason: str) -> None:
    moderated = await world.post(COMMISSIONER_LEAD, audit_path(year, "/moderations"), statement_id=statement,
                                 moderated_rating=rating, reason=reason)
    assert moderated.status_code == 200, moderated.text


async def test_rated_moderated_and_the_trend_across_years_read_back(world: World) -> None:
    await _requested(world, "2025-26")
    await _rate(world, "2025-26", FIRST, "amber")
    await _rate(world, "2025-26", SECOND, "green", action_plan="")
    await _moderate(world, "2025-26", FIRST, "red", "logs are kept but never analysed")
    await _requested(world, "2026-27")
    await _rate(world, "2026-27", FIRST, "green", action_plan="")
    await _moderate(world, "2026-27", FIRST, "green", "analysis seen at the visit")

    one = await world.get(PROVIDER_MANAGER, audit_path("2025-26"))
    assert one.status_code == 200, one.text
    first = one.json()["statements"][0]
    assert (first["statement_id"], first["rating"], first["moderated_rating"], first["standing"]) == (
        FIRST, "amber", "red", "red")
    assert first["evidence"] == "termly behaviour log analysis"
    assert first["moderation_reason"] == "logs are kept but never analysed"
    assert first["rated_by"] == PROVIDER_MANAGER.user_id and first["moderated_by"] == COMMISSIONER_LEAD.user_id
    assert (one.json()["rated"], one.json()["moderated"], len(one.json()["statements"])) == (2, 1, 20)
    assert one.json()["complete"] is False

    trend = await world.get(COMMISSIONER_LEAD, f"/v1/self-audits/{PROVISION}/{COMMISSIONER}/trend")
    assert trend.status_code == 200, trend.text
    by_statement = {row["statement_id"]: row["years"] for row in trend.json()}
    assert [(y["academic_year"], y["rating"], y["moderated_rating"], y["standing"]) for y in by_statement[FIRST]] == [
        ("2025-26", "amber", "red", "red"), ("2026-27", "green", "green", "green")]
    assert [(y["academic_year"], y["standing"]) for y in by_statement[SECOND]] == [
        ("2025-26", "green"), ("2026-27", None)]

    across = await world.get(COMMISSIONER_LEAD, "/v1/self-audits/across-providers")
    assert across.status_code == 200, across.text
    first_row = next(row for row in across.json() if row["statement_id"] == FIRST)
    assert [(y["academic_year"], y["counts"]["red"], y["counts"]["green"]) for y in first_row["years"]] == [
        ("2025-26", 1, 0), ("2026-27", 0, 1)]


async def test_a_rating_without_evidence_or_a_moderation_without_a_reason_is_refused_and_changes_nothing(
        world: World) -> None:
    await _requested(world, "2026-27")
    before = await world.event_count()
    bare = await world.post(PROVIDER_MANAGER, audit_path("2026-27", "/ratings"), statement_id=FIRST, rating="green")
    assert (bare.status_code, bare.json()["rule"]) == (422, "self_audit.rating_has_evidence")
    await _rate(world, "2026-27", FIRST, "amber")
    rated = await world.event_count()
    unreasoned = await world.post(COMMISSIONER_LEAD, audit_path("2026-27", "/moderations"), statement_id=FIRST,
                                  moderated_rating="amber")
    assert (unreasoned.status_code, unreasoned.json()["rule"]) == (422, "self_audit.moderation_has_reason")
    assert (before + 1, rated) == (rated, await world.event_count())


async def test_a_provider_rates_and_reads_only_its_own_audit(world: World) -> None:
    await _requested(world, "2026-27")
    before = await world.event_count()
    other_rates = await world.post(OTHER_PROVIDER_MANAGER, audit_path("2026-27", "/ratings"), statement_id=FIRST,
                                   rating="green", evidence="not ours")
    assert other_rates.status_code == 403
    other_reads = await world.get(OTHER_PROVIDER_MANAGER, audit_path("2026-27"))
    assert other_reads.status_code == 403
    other_trend = await world.get(OTHER_PROVIDER_MANAGER, f"/v1/self-audits/{PROVISION}/{COMMISSIONER}/trend")
    assert other_trend.status_code == 403
    assert (await world.get(OTHER_PROVIDER_MANAGER, "/v1/self-audits")).json() == []
    assert [a["provider_id"] for a in (await world.get(PROVIDER_MANAGER, "/v1/self-audits")).json()] == [PROVISION]
    # Staff of the provision do not rate: the manager answers for the provision.
    staff = await world.post(PROVIDER_STAFF, audit_path("2026-27", "/ratings"), statement_id=FIRST, rating="green",
                             evidence="e")
    assert staff.status_code == 403
    assert await world.event_count() == before


async def test_a_forged_provider_or_rater_in_the_body_is_refused(world: World) -> None:
    await _requested(world, "2026-27")
    before = await world.event_count()
    forged = await world.post(PROVIDER_MANAGER, audit_path("2026-27", "/ratings"), statement_id=FIRST,
                              rating="green", evidence="e", provider_id="pbp-keynsham")
    assert forged.status_code == 422
    assert [e["field"] for e in forged.json()["errors"]] == ["provider_id"]
    rater = await world.post(PROVIDER_MANAGER, audit_path("2026-27", "/ratings"), statement_id=FIRST,
                             rating="green", evidence="e", rated_by="someone-else")
    assert rater.status_code == 422
    assert await world.event_count() == before


async def test_the_provider_cannot_moderate_and_another_commissioner_cannot_ask_read_or_moderate(
        world: World) -> None:
    await _requested(world, "2026-27")
    await _rate(world, "2026-27", FIRST, "amber")
    before = await world.event_count()
    own_moderation = await world.post(PROVIDER_MANAGER, audit_path("2026-27", "/moderations"), statement_id=FIRST,
                                      moderated_rating="green", reason="we are better than that")
    assert own_moderation.status_code == 403
    assert own_moderation.json()["rule"] == "COMM-AUDIT-1"  # the rule reserving moderation to the commissioner
    stranger = await world.post(OTHER_COMMISSIONER_LEAD, audit_path("2026-27", "/moderations"), statement_id=FIRST,
                                moderated_rating="red", reason="r")
    assert stranger.status_code == 403
    as_another = await world.post(OTHER_COMMISSIONER_LEAD, audit_path("2027-28", "/request"))
    assert as_another.status_code == 403
    assert (await world.get(OTHER_COMMISSIONER_LEAD, audit_path("2026-27"))).status_code == 403
    assert await world.event_count() == before


async def test_a_due_date_is_set_within_the_audits_year_or_refused_changing_nothing(world: World) -> None:
    """Issue 14: the commissioner may set the day the audit is due (the overdue check alerts after it)."""
    before = await world.event_count()
    outside = await world.post(COMMISSIONER_LEAD, audit_path("2026-27", "/request"), due_on="2027-09-01")
    assert (outside.status_code, outside.json()["rule"]) == (422, "self_audit.due_within_year")
    assert "due_on" in outside.json()["detail"]
    unreadable = await world.post(COMMISSIONER_LEAD, audit_path("2026-27", "/request"), due_on="31/03/2027")
    assert unreadable.status_code == 422
    assert [e["field"] for e in unreadable.json()["errors"]] == ["due_on"]
    assert await world.event_count() == before
    asked = await world.post(COMMISSIONER_LEAD, audit_path("2026-27", "/request"), due_on="2027-03-31")
    assert asked.status_code == 200, asked.text
    assert await world.event_count() == before + 1
    assert (await world.get(PROVIDER_MANAGER, audit_path("2026-27"))).json()["due_on"] == "2027-03-31"
    await _requested(world, "2027-28")
    assert (await world.get(PROVIDER_MANAGER, audit_path("2027-28"))).json()["due_on"] == "2028-08-31"
