"""Bad input to the SLA commands (issue 13): each answers a 422 naming the field or a refusal naming the rule,
and stores nothing."""

from __future__ import annotations

from uuid import uuid4

from .conftest import COMMISSIONER_LEAD, PROVIDER_MANAGER, World, agreed_version, sla_path, terms


async def test_one_party_signing_twice_is_refused_and_the_version_is_not_in_force(world: World) -> None:
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1, terms=terms())
    assert drafted.status_code == 200
    first = await world.post(PROVIDER_MANAGER, sla_path("/versions/1/signatures"))
    assert first.status_code == 200
    stored = await world.event_count()

    again = await world.post(PROVIDER_MANAGER, sla_path("/versions/1/signatures"))

    assert again.status_code == 409, again.text
    assert again.json()["rule"] == "sla.signed_once_per_party"
    assert await world.event_count() == stored
    in_force = await world.get(PROVIDER_MANAGER, sla_path("/in-force"), on="2026-10-01")
    assert in_force.status_code == 404


async def test_dates_running_backwards_are_refused(world: World) -> None:
    answer = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1,
                              terms=terms(starts_on="2027-08-31", ends_on="2026-09-01"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["rule"] == "sla.dates_run_forwards"
    assert "terms.ends_on" in answer.json()["detail"]
    assert await world.event_count() == 0


async def test_a_review_date_outside_the_agreement_is_refused(world: World) -> None:
    answer = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1,
                              terms=terms(review_dates=["2028-01-10"]))
    assert answer.status_code == 422
    assert answer.json()["rule"] == "sla.review_dates_within_term"
    assert await world.event_count() == 0


async def test_a_threshold_outside_0_to_100_is_a_422_naming_the_field(world: World) -> None:
    for threshold in (101, -1):
        answer = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=1,
                                  terms=terms(attendance_threshold_percent=threshold))
        assert answer.status_code == 422, answer.text
        fields = [e["field"] for e in answer.json()["errors"]]
        assert fields == ["terms.attendance_threshold_percent"]
    assert await world.event_count() == 0


async def test_versions_are_numbered_in_order(world: World) -> None:
    answer = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=2, terms=terms())
    assert answer.status_code == 409
    assert answer.json()["rule"] == "sla.versions_numbered_in_order"
    assert await world.event_count() == 0


async def test_a_review_of_a_version_not_in_force_is_refused(world: World) -> None:
    await agreed_version(world, 1)
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=2, terms=terms())
    assert drafted.status_code == 200
    stored = await world.event_count()
    answers = [{"question_id": q, "choice": "agree"} for q in ("1", "2", "3")]

    for version in (2, 3):
        answer = await world.post(PROVIDER_MANAGER, sla_path(f"/reviews/{uuid4()}/answers"), version=version,
                                  answers=answers)
        assert answer.status_code == 409, answer.text
        assert answer.json()["rule"] == "sla.review_of_version_in_force"
    assert await world.event_count() == stored


async def test_answers_must_match_the_questionnaire(world: World) -> None:
    await agreed_version(world, 1)
    stored = await world.event_count()
    cases = (
        [{"question_id": "1", "choice": "agree"}, {"question_id": "2", "choice": "agree"}],  # 3 missing
        [{"question_id": q, "choice": "agree"} for q in ("1", "2", "3", "7")],  # no question 7
        [{"question_id": q, "choice": "agree"} for q in ("1", "2", "3", "4")],  # 4 is answered in words
        [{"question_id": q, "choice": "agree"} for q in ("1", "2", "3", "3")],  # twice
    )
    for answers in cases:
        answer = await world.post(PROVIDER_MANAGER, sla_path(f"/reviews/{uuid4()}/answers"), version=1,
                                  answers=answers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["rule"] == "sla.review_answers_match_template"
    bad_choice = await world.post(PROVIDER_MANAGER, sla_path(f"/reviews/{uuid4()}/answers"), version=1,
                                  answers=[{"question_id": "1", "choice": "maybe"}])
    assert bad_choice.status_code == 422
    assert "answers[0].choice" in [e["field"] for e in bad_choice.json()["errors"]]
    assert await world.event_count() == stored
