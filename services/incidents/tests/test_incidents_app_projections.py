"""The read models: placement terms follow reviews and corrections, and erasure survives a rebuild with
counts unchanged; plus the caches behind the command path give exactly what a full read would."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import TimetableKind
from ap_incidents.adapters.history_cache import HistoryCachingStore
from ap_incidents.application.stream_folds import StreamFolds
from ap_incidents.domain.evolve import fold
from ap_incidents.domain.identity import record_id_for
from ap_incidents.projections import BehaviourLogProjection, PlacementRegisterProjection
from ap_incidents.projections.placement_terms import current_terms
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.rebuild import rebuild

from .conftest import START, ApiStory, RunningProjections, ServiceUnderTest, Story
from .read_model_search import read_model_schemas, tables_holding


def test_terms_follow_changes_and_ignore_withdrawn_ones() -> None:
    start = {"timetable": "reduced", "reduced_timetable_review_date": "2025-02-01",
             "planned_review_date": "2025-02-20", "incident_severity_threshold": 3, "attendance_threshold_percent": 90}
    review = {"event_type": "ReducedTimetableReviewed", "withdrawn": False,
              "values": {"outcome": "returned_to_full_time", "next_review_date": None}}
    thresholds = {"event_type": "AlertThresholdsAgreed", "withdrawn": False,
                  "values": {"incident_severity_threshold": 4, "attendance_threshold_percent": 80}}
    terms = current_terms(start, [review, thresholds])
    assert (terms.timetable, terms.reduced_timetable_review_date, terms.incident_severity_threshold) == (
        "full_time", None, 4)
    undone = current_terms(start, [{**review, "withdrawn": True}, thresholds])
    assert (undone.timetable, undone.reduced_timetable_review_date) == ("reduced", "2025-02-01")


def test_incremental_folds_equal_full_folds() -> None:
    story = Story().placed()
    story.trained("staff-trained-1", "staff-trained-2")
    for _ in range(3):
        story.incident()
    folds = StreamFolds()
    history = list(story.events)
    for cut in (3, 5, 5, len(history) - 1, len(history)):
        folded = folds.of(story.pupil_ref, history[:cut])
        assert folded.state == fold(history[:cut])
    other_objects = [e.model_copy() for e in history]  # not the same objects: folded from the start
    assert folds.of(story.pupil_ref, other_objects).state == fold(history)


@pytest.mark.integration
async def test_the_register_follows_a_reduced_timetable_and_its_withdrawn_review(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.ready_to_place()
    first_review = START + timedelta(days=21)
    await api_story.ok(api_story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                                     reduced_timetable_review_date=first_review,
                                                     reintegration_plan="Mornings first"), "commissioner")
    review = api_story.cmd.review_reduced_timetable(reviewed_on=START + timedelta(days=20),
                                                    next_review_date=START + timedelta(days=50))
    await api_story.ok(review, "provider_manager")

    async def row() -> dict:
        await projections.caught_up()
        response = await service.client.get("/v1/placements", params={"pupil_ref": str(api_story.pupil_ref)},
                                            headers=service.headers("commissioner"))
        return response.json()["placements"][0]

    assert (await row())["reduced_timetable_review_date"] == (START + timedelta(days=50)).isoformat()
    await api_story.ok(api_story.cmd.withdraw(record_id_for(review.command_id)), "provider_manager",
                       purpose="review recorded on the wrong pupil")
    reverted = await row()
    assert (reverted["timetable"], reverted["reduced_timetable_review_date"]) == ("reduced", first_review.isoformat())


@pytest.mark.integration
async def test_after_erasure_a_rebuild_shows_the_pupil_erased_with_the_same_counts(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed(exit_criteria="Calm at lunchtimes for a month")
    await api_story.incident()
    await api_story.ok(api_story.cmd.safeguarding_concern(concern="Left at the gate after dark"), "provider_staff")
    erase = {"command_id": str(uuid4()), "reason": "retention_expired", "legal_basis": "Retention schedule",
             "requested_by": "retention_schedule"}
    response = await service.client.post(f"/v1/pupils/{api_story.pupil_ref}/erasure", json=erase,
                                         headers=service.headers("home_dpo", purpose="retention"))
    assert response.status_code == 201, response.text
    await projections.caught_up()

    async def snapshot() -> tuple:
        pool = service.deps.read_pool
        async with read_model(pool, BehaviourLogProjection.name) as conn:
            log = await conn.fetch("SELECT event_type, personal, erased FROM behaviour_log WHERE pupil_ref = $1"
                                   " ORDER BY stream_version", api_story.pupil_ref)
        async with read_model(pool, PlacementRegisterProjection.name) as conn:
            register = await conn.fetch("SELECT p.status, r.display_name_sources, r.erased FROM placements p"
                                        " JOIN register_pupils r USING (pupil_ref) WHERE pupil_ref = $1",
                                        api_story.pupil_ref)
        return [tuple(r) for r in log], [tuple(r) for r in register]

    live = await snapshot()
    await _rebuild_both(service)
    rebuilt = await snapshot()
    assert rebuilt == live
    log, register = rebuilt
    assert len(log) == 8 and log[-1][0] == "PupilDataErased"
    assert all(personal is None and erased for _, personal, erased in log)
    assert register == [("active", "[]", True)]  # the sealed sources of the name are gone too


@pytest.mark.integration
async def test_the_history_cache_reads_only_new_rows_and_rereads_after_erasure(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    from ap_incidents.adapters.erased_record_codec import ErasedRecordTolerantCodec

    await api_story.placed()
    store = HistoryCachingStore(service.deps.events_pool,
                                ErasedRecordTolerantCodec(PersonalDataCodec(service.deps.keystore)), max_events=50)
    first = await store.load(api_story.stream)
    await api_story.incident(description="Kicked the door")
    second = await store.load(api_story.stream)
    assert second[: len(first)] == first and all(a is b for a, b in zip(first, second, strict=False))
    assert second[-1].description == "Kicked the door"  # type: ignore[attr-defined]
    erase = {"command_id": str(uuid4()), "reason": "court_order", "legal_basis": "Court order 1",
             "requested_by": "court"}
    await service.client.post(f"/v1/pupils/{api_story.pupil_ref}/erasure", json=erase,
                              headers=service.headers("home_dpo", purpose="court order"))
    after = await store.load(api_story.stream)
    assert after[-1].event_type == "PupilDataErased"
    assert [getattr(e, "description", None) for e in after] == [None] * len(after)


async def _rebuild_both(service: ServiceUnderTest) -> None:
    codec = PersonalDataCodec(service.deps.keystore)
    for projection in (BehaviourLogProjection((service.events_topic,)),
                       PlacementRegisterProjection((service.events_topic,))):
        runner = ProjectionRunner(projection, service.deps.read_pool, service.bootstrap, codec=codec,
                                  group_id=f"rebuild.{projection.name}.{uuid4().hex[:6]}")
        await runner.start()
        try:
            await rebuild(runner, service.deps.read_pool, service.bootstrap, show_progress=False)
        finally:
            await runner.stop()


@pytest.mark.integration
async def test_erasure_after_a_rebuild_leaves_no_value_in_any_schema(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    tag = uuid4().hex[:10]
    name, description = f"Quentin Rebuild {tag}", f"Climbed the fence {tag}"
    await api_story.ready_to_place(display_name=name)
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    await api_story.incident(description=description)
    await projections.caught_up()
    pool = service.deps.read_pool
    await _rebuild_both(service)
    for projection in (BehaviourLogProjection, PlacementRegisterProjection):
        schemas = await read_model_schemas(pool, projection.name)
        async with read_model(pool, projection.name) as conn:
            serving = await conn.fetchval("SELECT (current_schemas(false))[1]")
        assert schemas == [serving], f"the previous generation of {projection.name} is still there: {schemas}"
    erase = {"command_id": str(uuid4()), "reason": "erasure_request_upheld", "legal_basis": "UK GDPR Art. 17(1)(a)",
             "requested_by": "parent_or_carer"}
    response = await service.client.post(f"/v1/pupils/{api_story.pupil_ref}/erasure", json=erase,
                                         headers=service.headers("home_dpo", purpose="request upheld"))
    assert response.status_code == 201, response.text
    await projections.caught_up()
    assert await tables_holding(pool, [name, description, tag]) == {}
