"""Early warning on real PostgreSQL (issues 14 and 16): an amended engagement score counts as amended.

The trends projection is fed as its runner would feed it (one transaction per event). Pupil scores of 5/5 for three
days, then 5, 5 and 4 (down 7 points of the scale: below the engagement rule's 15, no flag). The 4 was given wrongly
and is amended to 1: the recent average falls to 73% of the scale, the rule flags, and the flag cites the amended
score's entry. An amendment of a score the read model never held changes nothing and judges nothing.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.engagement import EngagementScoreAmended, EngagementScoreRecorded
from ap_contracts.events.pupil_corrections import CorrectionReason
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_testing.notifications.builders import NARRATIVE, Events, received

from .test_notifications_early_warning_corrections import feed, raised
from .test_notifications_early_warning_pipeline import scored

pytestmark = pytest.mark.integration


def amended(ev: Events, score: EngagementScoreRecorded, to: int) -> EngagementScoreAmended:
    return EngagementScoreAmended(pupil_ref=ev.pupil_ref, record_id=uuid4(), placement_id=ev.placement_id,
                                  score_record_id=score.record_id, score=to, scale_max=5,
                                  reason=CorrectionReason.WRONG_VALUE, explanation=NARRATIVE,
                                  rule_version="engagement-2026.1")


async def test_an_amended_score_is_judged_as_amended_and_cited(notif: NotificationServices, ev: Events) -> None:
    earlier = [scored(ev, date(2025, 2, d), 5) for d in (17, 18, 19)]
    recent = [scored(ev, date(2025, 3, 3), 5), scored(ev, date(2025, 3, 4), 5), scored(ev, date(2025, 3, 5), 4)]
    schema = await feed(notif, [received(e) for e in (ev.started(), *earlier, *recent)])
    assert await raised(notif) == []  # 93% of the scale after 100%: down 7 points, the rule wants 15

    await feed(notif, [received(amended(ev, recent[-1], 1))])
    [flag] = await raised(notif)
    assert flag["rule_name"] == "engagement_falling"
    assert set(flag["cited_event_ids"]) == {str(e.record_id) for e in (*earlier, *recent)}
    async with notif.pool.acquire() as conn:
        stored = await conn.fetchval(f"SELECT score FROM {schema}.trend_scores WHERE event_id = $1",
                                     recent[-1].record_id)
    assert stored == 1


async def test_an_amendment_of_a_score_never_read_changes_and_flags_nothing(notif: NotificationServices,
                                                                            ev: Events) -> None:
    never_read = scored(ev, date(2025, 3, 5), 5)
    schema = await feed(notif, [received(e) for e in (ev.started(), amended(ev, never_read, 0))])
    assert await raised(notif) == []
    async with notif.pool.acquire() as conn:
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.trend_scores WHERE pupil_ref = $1",
                                   ev.pupil_ref) == 0
