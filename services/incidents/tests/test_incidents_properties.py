"""Property: whatever sequence of commands is accepted, the pupil record never breaks its invariants.

Hypothesis drives random sequences of grants, redemptions, suspensions, attendance marks, proposals,
withdrawals in error, retries and placement ends, from the right and the wrong callers. Refused
commands change nothing; after every accepted one the folded record is checked against invariants
recomputed independently from the raw events.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ap_contracts.events.placements import ExclusionProposed, PlacementEnded
from ap_contracts.events.pupil_corrections import RecordAmended, RecordWithdrawnInError
from ap_contracts.events.pupil_record import AttendanceRecorded, RewardGranted, RewardRedeemed
from ap_contracts.events.pupil_vocabulary import RewardKind, Session
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.events.school_exclusions import SuspensionIssued
from ap_incidents.domain.errors import DomainError
from ap_incidents.domain.rules import DEFAULT_RULES

SUSPENSION_DAYS = [date(2024, 9, 9), date(2025, 2, 3), date(2025, 9, 8)]
CALLERS = ["head", "head", "head", "provider", "home_staff", "other_provider"]
WITHDRAWABLE = (RewardGranted, RewardRedeemed, AttendanceRecorded, SuspensionIssued, ExclusionProposed)

steps = st.one_of(
    st.tuples(st.just("grant"), st.integers(1, 5), st.sampled_from([RewardKind.REWARD_SLIP, RewardKind.POINTS])),
    st.tuples(st.just("redeem"), st.integers(1, 6), st.integers(0, 3500)),
    st.tuples(st.just("suspend"), st.sampled_from(SUSPENSION_DAYS), st.integers(1, 40), st.sampled_from(CALLERS)),
    st.tuples(st.just("attend"), st.integers(0, 6), st.sampled_from(list(Session))),
    st.tuples(st.just("propose")),
    st.tuples(st.just("decide"), st.sampled_from(["withdrawal_upheld", "withdrawal_declined"])),
    st.tuples(st.just("withdraw"), st.integers(0, 10_000), st.booleans()),
    st.tuples(st.just("retry"), st.integers(0, 10_000)),
    st.tuples(st.just("end"), st.sampled_from(["reintegrated_to_home_school", "place_withdrawn"])),
)


def _command(story, step, sent, proposals):
    kind = step[0]
    cmd, who = story.cmd, story.who
    if kind == "grant":
        return cmd.grant_reward(quantity=step[1], kind=step[2]), who.provider
    if kind == "redeem":
        return cmd.redeem_reward(slips_spent=step[1], cost_pence=step[2]), who.provider
    if kind == "suspend":
        return cmd.suspend(first_day=step[1], duration_half_days=step[2]), getattr(who, step[3])
    if kind == "attend":
        return cmd.record_attendance(session_date=date(2025, 3, 3) + timedelta(days=step[1]), session=step[2]), \
            who.provider
    if kind == "propose":
        command = cmd.propose_exclusion()
        proposals.append(command.proposal_id)
        return command, who.provider
    if kind == "decide":
        target = proposals[-1] if proposals else UUID(int=0)
        return cmd.commissioner_decision(target, decision=step[1]), who.commissioner
    if kind == "withdraw":
        entries = [e for e in story.events if isinstance(e, WITHDRAWABLE)] or story.events[:1]
        target = entries[step[1] % len(entries)]
        rightful = who.head if isinstance(target, SuspensionIssued) else who.provider
        return cmd.withdraw(target.record_id), rightful if step[2] else who.commissioner
    if kind == "retry":
        if not sent:
            return None
        return sent[step[1] % len(sent)]
    return cmd.end_placement(reason=step[1]), who.provider


def _live(events):
    withdrawn = {e.target_record_id for e in events if isinstance(e, RecordWithdrawnInError)}
    return [e for e in events if isinstance(e, PupilEvent) and e.record_id not in withdrawn]


def _check_invariants(story):
    events = story.events
    state = story.state
    live = _live(events)
    cap = DEFAULT_RULES.suspension_cap_half_days

    slips = Counter()
    for e in live:
        if isinstance(e, RewardGranted) and e.kind is RewardKind.REWARD_SLIP:
            slips[e.placement_id] += e.quantity
        elif isinstance(e, RewardRedeemed):
            slips[e.placement_id] -= e.slips_spent
    for placement in state.placements.values():
        assert placement.slip_balance >= 0
        assert placement.slip_balance == slips[placement.placement_id]

    days = Counter()
    for e in live:
        if isinstance(e, SuspensionIssued):
            days[e.academic_year] += e.duration_half_days
    assert all(0 <= total <= cap for total in days.values())
    assert {y: n for y, n in state.suspension_half_days.items() if n} == {y: n for y, n in days.items() if n}

    marks = Counter((e.placement_id, e.session_date, e.session) for e in live if isinstance(e, AttendanceRecorded))
    assert all(n == 1 for n in marks.values())

    active = [p for p in state.placements.values() if p.active]
    assert len(active) <= 1
    assert state.active_placement_id == (active[0].placement_id if active else None)

    ids = [e.record_id for e in events if isinstance(e, PupilEvent)]
    assert len(ids) == len(set(ids)), "every entry has its own record id"
    seen: set[UUID] = set()
    ended: set[UUID] = set()
    for e in events:
        if isinstance(e, (RecordWithdrawnInError, RecordAmended)):
            assert e.target_record_id in seen, "corrections reference an existing entry"
        elif getattr(e, "placement_id", None) in ended and not isinstance(e, SuspensionIssued):
            raise AssertionError(f"{e.event_type} recorded against an ended placement")
        if isinstance(e, PlacementEnded):
            ended.add(e.placement_id)
        seen.add(e.record_id)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, max_size=40))
def test_accepted_commands_never_break_the_invariants(new_story, plan):
    story = new_story()
    story.placed()
    sent: list = []
    proposals: list[UUID] = []
    for step in plan:
        built = _command(story, step, sent, proposals)
        if built is None:
            continue
        command, caller = built
        before = list(story.events)
        try:
            recorded = story.run(command, caller)
        except DomainError:
            assert story.events == before, "a refused command records nothing"
            continue
        if step[0] == "retry":
            assert recorded == [], "a retried command records nothing new"
        event(f"accepted {step[0]}")
        sent.append((command, caller))
        _check_invariants(story)
