"""Moving a self-audit's due date through the commissioning API on the real PostgreSQL (issue 16 follow-up):
the audit's commissioner moves it with a reason and the audit reads the new date; as hostile callers, another
commissioner, the provider and a forged body field are refused, and so are a past day (naming due_on) and a
moderated audit, each storing nothing."""

from __future__ import annotations

from datetime import date

from .conftest import COMMISSIONER_LEAD, OTHER_COMMISSIONER_LEAD, PROVIDER_MANAGER, World
from .test_commissioning_self_audit_http import FIRST, _moderate, _rate, _requested, audit_path

YEAR = "2026-27"
MOVE = {"due_on": "2027-03-31", "reason": "the inspection moved to March"}


async def test_the_commissioner_moves_the_due_date_and_the_audit_reads_it(world: World) -> None:
    await _requested(world, YEAR)
    moved = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), **MOVE)
    assert moved.status_code == 200, moved.text
    assert moved.json()["event_types"] == ["SelfAuditDueDateChanged"]
    assert (await world.get(PROVIDER_MANAGER, audit_path(YEAR))).json()["due_on"] == "2027-03-31"
    listed = (await world.get(COMMISSIONER_LEAD, "/v1/self-audits")).json()
    assert [a["due_on"] for a in listed] == ["2027-03-31"]


async def test_another_commissioner_the_provider_and_a_forged_field_are_refused_storing_nothing(
        world: World) -> None:
    await _requested(world, YEAR)
    before = await world.event_count()
    stranger = await world.post(OTHER_COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), **MOVE)
    assert stranger.status_code == 403
    provider = await world.post(PROVIDER_MANAGER, audit_path(YEAR, "/due-date"), **MOVE)
    assert (provider.status_code, provider.json()["rule"]) == (403, "COMM-AUDIT-3")
    for forged in ({"commissioner_id": "np-keynsham"}, {"changed_by": "np-lead-9"}, {"previous_due_on": None}):
        refused = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), **MOVE, **forged)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == list(forged)
    assert await world.event_count() == before
    assert (await world.get(PROVIDER_MANAGER, audit_path(YEAR))).json()["due_on"] == "2027-08-31"


async def test_a_past_or_too_late_day_an_unreadable_day_or_no_reason_is_refused_naming_the_field(world: World) -> None:
    await _requested(world, YEAR)
    world.today = date(2026, 12, 6)
    before = await world.event_count()
    past = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), due_on="2026-12-05",
                            reason=MOVE["reason"])
    assert (past.status_code, past.json()["rule"]) == (422, "self_audit.due_not_in_past")
    assert past.json()["detail"].startswith("due_on:")
    unreadable = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), due_on="31/03/2027",
                                  reason=MOVE["reason"])
    assert [e["field"] for e in unreadable.json()["errors"]] == ["due_on"]
    too_late = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), due_on="2028-09-01",
                                reason=MOVE["reason"])
    assert (too_late.status_code, too_late.json()["rule"]) == (422, "self_audit.due_by_next_year_end")
    bare = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), due_on="2027-03-31")
    assert (bare.status_code, bare.json()["rule"]) == (422, "self_audit.due_change_has_reason")
    assert await world.event_count() == before
    today = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), due_on="2026-12-06",
                             reason=MOVE["reason"])
    assert today.status_code == 200, today.text


async def test_a_moderated_audit_keeps_its_due_date(world: World) -> None:
    await _requested(world, YEAR)
    await _rate(world, YEAR, FIRST, "amber")
    await _moderate(world, YEAR, FIRST, "red", "logs are kept but never analysed")
    before = await world.event_count()
    late = await world.post(COMMISSIONER_LEAD, audit_path(YEAR, "/due-date"), **MOVE)
    assert (late.status_code, late.json()["rule"]) == (409, "self_audit.due_changes_while_open")
    assert await world.event_count() == before
