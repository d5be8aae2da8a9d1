"""The annual SLA review (seed 001, appendix 1; issue 13): both parties answer the questionnaire for the
version in force, it is scored, the commissioner completes it with actions and owners and the next review
date, and a review past its date shows as overdue (alerting it is issue 14's)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from .conftest import COMMISSIONER_LEAD, PROVIDER_MANAGER, World, agreed_version, sla_path


def answers(*choices: str, words: str | None = None) -> list[dict[str, str]]:
    given = [{"question_id": q, "choice": c} for q, c in zip(("1", "2", "3"), choices, strict=True)]
    return given + ([{"question_id": "5", "text": words}] if words else [])


async def test_agree_sign_review_score_and_set_the_next_review(world: World) -> None:
    await agreed_version(world, 1)
    template = await world.get(PROVIDER_MANAGER, "/v1/sla-review-templates/sla-review/1")
    assert template.status_code == 200
    assert [q["question_id"] for q in template.json()["questions"]] == ["1", "2", "3", "3a", "4", "5", "6"]
    assert template.json()["max_score"] == 15

    world.today = date(2027, 6, 20)
    before = (await world.get(COMMISSIONER_LEAD, sla_path("/review-status"))).json()
    assert (before["due_on"], before["overdue"]) == ("2027-06-30", False)
    review = uuid4()
    provider = await world.post(PROVIDER_MANAGER, sla_path(f"/reviews/{review}/answers"), version=1,
                                answers=answers("strongly_agree", "agree", "neutral", words="More outreach"))
    assert provider.status_code == 200, provider.text
    early = await world.post(COMMISSIONER_LEAD, sla_path(f"/reviews/{review}/completion"),
                             next_review_on="2028-06-30")
    assert early.status_code == 409
    assert early.json()["rule"] == "sla.review_answered_by_both"
    commissioner = await world.post(COMMISSIONER_LEAD, sla_path(f"/reviews/{review}/answers"), version=1,
                                    answers=answers("agree", "agree", "disagree"))
    assert commissioner.status_code == 200
    twice = await world.post(COMMISSIONER_LEAD, sla_path(f"/reviews/{review}/answers"), version=1,
                             answers=answers("agree", "agree", "agree"))
    assert twice.json()["rule"] == "sla.review_answered_once_per_party"

    actions = [{"action": "Add an outreach offer to the services section", "owner": "Provision manager",
                "due_on": "2027-09-30"}]
    past = await world.post(COMMISSIONER_LEAD, sla_path(f"/reviews/{review}/completion"), actions=actions,
                            next_review_on="2027-06-20")
    assert past.json()["rule"] == "sla.next_review_after_today"
    done = await world.post(COMMISSIONER_LEAD, sla_path(f"/reviews/{review}/completion"), actions=actions,
                            next_review_on="2028-06-30")
    assert done.status_code == 200, done.text

    view = (await world.get(PROVIDER_MANAGER, sla_path())).json()
    [reviewed] = view["reviews"]
    assert (reviewed["provider_score"], reviewed["commissioner_score"], reviewed["max_score"]) == (12, 10, 15)
    assert reviewed["actions"] == actions
    assert reviewed["next_review_on"] == "2028-06-30"
    assert view["review_status"] == {"provision_id": view["provision_id"], "commissioner_id": view["commissioner_id"],
                                     "due_on": "2028-06-30", "overdue": False,
                                     "last_completed_review_id": str(review)}


async def test_a_review_past_its_date_shows_as_overdue(world: World) -> None:
    await agreed_version(world, 1)
    world.today = date(2027, 7, 1)

    status = (await world.get(PROVIDER_MANAGER, sla_path("/review-status"))).json()
    overdue = (await world.get(COMMISSIONER_LEAD, "/v1/sla-reviews/overdue")).json()

    assert (status["due_on"], status["overdue"]) == ("2027-06-30", True)
    assert [(o["due_on"], o["overdue"]) for o in overdue] == [("2027-06-30", True)]
    world.today = date(2027, 6, 30)
    assert (await world.get(COMMISSIONER_LEAD, "/v1/sla-reviews/overdue")).json() == []
