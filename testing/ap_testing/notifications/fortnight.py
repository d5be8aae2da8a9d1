"""Issue 14's scripted fortnight through the public APIs: two provisions, three home schools, a looked-after child.

Shared by the e2e test (``tests/test_e2e_alerts_fortnight.py``) and the fault test
(``tests/test_fault_alerts_fortnight.py``). Each school day the people of the fortnight send their requests to the
incidents and notifications APIs (``fortnight_people``) with the platform's clock on that day
(``fortnight_stage``); the worker decides and sends by SMTP; the escalation check runs each half hour after an
urgent alert and the digest check at 17:00 each day, as the CronJobs would. ``EXPECTED`` is what each address
receives, and why.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import asyncpg

from ap_testing.notifications.fortnight_people import (
    HOME_1,
    HOME_2,
    HOME_3,
    LOOKING_AFTER,
    NORTH,
    SOUTH,
    Call,
    Pupil,
    acknowledgement,
    dsl,
    escalation_chain,
    the_register,
)
from ap_testing.notifications.fortnight_people import at as at
from ap_testing.notifications.fortnight_stage import Stage, address
from ap_testing.notifications.fortnight_stage import open_stage as open_stage
from ap_testing.processes import wait_for_platform
from ap_testing.smtp_server import Mail

COMMISSIONER, NEW_SCHOOL = "la-commissioning", "school-new-7"
FIRST_DAY = date(2025, 3, 3)  # Monday of week 1; the fortnight ends on Friday 14 March (GMT: London is UTC)
ESCALATION_DEADLINE = timedelta(minutes=30)  # the default escalation rule book's deadline for an urgent alert
URGENT_DAYS = (6, 8)  # the days an urgent alert is sent: the escalation check runs each half hour after it
DAYS = range(1, 11)


def day(n: int) -> date:
    """School day n of the fortnight (1-10), weekends skipped."""
    return FIRST_DAY + timedelta(days=(n - 1) + 2 * ((n - 1) // 5))


@dataclass
class Script:
    """a: North, placed by HOME_1; b: South, placed by HOME_2, looked after by LOOKING_AFTER; c: North, by HOME_3.
    ``days``: each school day's requests, in the order the people send them; ``quiet``: the requests no alert may
    be about (no rule fires for them)."""

    a: Pupil = field(default_factory=lambda: Pupil(HOME_1, NORTH))
    b: Pupil = field(default_factory=lambda: Pupil(HOME_2, SOUTH, looked_after_by=LOOKING_AFTER))
    c: Pupil = field(default_factory=lambda: Pupil(HOME_3, NORTH))
    quiet: list[Call] = field(default_factory=list)
    days: dict[int, list[Call]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        a, b, c, on = self.a, self.b, self.c, day
        self.days = {
            1: self._hushed(*the_register(on(1)),
                            escalation_chain(HOME_2, "senior_leader", "dsl", "deputy_dsl", "head"),
                            escalation_chain(HOME_1, "dsl", "deputy_dsl", "head"),
                            *a.admitted(on(1)), *b.admitted(on(1)), *c.admitted(on(1))),
            2: self._hushed(a.incident(2, on(2))),  # below a's threshold (serious): nothing
            3: [a.incident(3, on(3))],  # at a's threshold: normal priority, in the day's digest
            4: self._hushed(b.thresholds(on(4), 4)),  # b's threshold raised to very serious
            5: self._hushed(b.incident(3, on(5))),  # below b's raised threshold: nothing
            6: [b.concern(on(6))],  # urgent; nobody acknowledges it
            7: [*c.intervention(on(7)), *self._hushed(b.incident(3, on(7)))],  # b's second serious: still below
            # b is looked after: its suspension tells LOOKING_AFTER's virtual school head; c's (not looked after)
            # tells nobody (one day, parents told). a's urgent concern is acknowledged by HOME_1's DSL.
            8: [b.suspended(on(8)), *self._hushed(c.suspended(on(8))), a.concern(on(8))],
            # b's third serious incident in 10 school days: still below b's threshold, but an early-warning flag.
            9: [c.incident(5, on(9)), *self._hushed(b.incident(3, on(9)))],
            10: [a.ended(on(10), NEW_SCHOOL)],  # a managed move: the file is offered to the new school's DSL
        }

    def _hushed(self, *calls: Call) -> list[Call]:
        self.quiet.extend(calls)
        return list(calls)


# Each address's messages, in the order they arrive, and why:
SAFEGUARDING_H, SAFEGUARDING_D = "safeguarding_concern/home_school", "safeguarding_concern/dsl"
EXPECTED = {
    # a's serious incident (day 3, a's threshold: normal) in that day's digest; c's critical one (day 9, two levels
    # above c's threshold: high) at once. The commissioner placed all three pupils.
    address(COMMISSIONER, "default"): ["digest: 1 alert", "incident_at_threshold/commissioner"],
    # a's incident at threshold (day 3's digest); a's urgent concern (day 8) at once, acknowledged by HOME_1's DSL
    # within the deadline: HOME_1's chain (DSL, deputy DSL, head) never starts; a's placement ended (day 10's digest).
    address(HOME_1, "default"): ["digest: 1 alert", SAFEGUARDING_H, "digest: 1 alert"],
    address(HOME_1, "dsl"): [SAFEGUARDING_D],
    address(NORTH, "dsl"): [SAFEGUARDING_D],  # North set no chain: nothing escalates there
    # b's urgent concern (day 6) at once to the home school's office and to both DSLs.
    address(HOME_2, "default"): [SAFEGUARDING_H],
    address(SOUTH, "dsl"): [SAFEGUARDING_D],  # South set no chain either
    # Nobody acknowledges it: HOME_2's chain (senior leader, DSL, deputy DSL, head; a safeguarding alert passes
    # over the senior leader) takes each alert up one step per deadline; the DSL's own alert starts at the deputy.
    address(HOME_2, "dsl"): [SAFEGUARDING_D, f"{SAFEGUARDING_H}: escalation 1"],
    address(HOME_2, "deputy_dsl"): [f"{SAFEGUARDING_D}: escalation 1", f"{SAFEGUARDING_H}: escalation 2"],
    address(HOME_2, "head"): [f"{SAFEGUARDING_D}: escalation 2", f"{SAFEGUARDING_H}: escalation 3"],
    # c's physical intervention (day 7, high) to the home school and, through it, the parents; c's critical
    # incident (day 9) to the home school.
    address(HOME_3, "default"): ["physical_intervention/home_school", "incident_at_threshold/home_school"],
    address(HOME_3, "parent"): ["physical_intervention_parents/parent"],
    # b, looked after, suspended (day 8): the virtual school head of the authority looking after b, at its own address.
    address(LOOKING_AFTER, "virtual_school_head"): ["looked_after_exclusion_virtual_school/virtual_school_head"],
    # b's serious incidents of days 5, 7 and 9 (three of severity 3 or more in 10 school days, early-warning-2026.1)
    # raise the severe_incidents flag: to HOME_2's pastoral lead and to South (normal priority: day 9's digest).
    address(HOME_2, "pastoral_lead"): ["digest: 1 alert"],
    address(SOUTH, "default"): ["digest: 1 alert"],
    # a's managed move (day 10) to the new school: the safeguarding file is offered to its DSL.
    address(NEW_SCHOOL, "dsl"): ["safeguarding_file_offered/dsl"],
}
# No message at all for: North's office (no rule tells a provision of its own records), a's moderate incident
# (day 2, below serious), b's serious incidents one by one (days 5, 7, 9: b's threshold was raised to very serious
# on day 4), c's moderate incident (day 7), c's suspension (not looked after: no virtual school head; one day,
# parents told: nobody at once), the placements starting (day 1), LOOKING_AFTER's office (the virtual school head's
# message never falls back to it), any escalation of a's acknowledged concern or of North's and South's DSL alerts.
# No other early-warning flag: a and c have fewer than three severe incidents, one suspension each at most.
NOTIFICATIONS_SENT = 17  # a 2, b's concern 3, c's intervention 2, b's suspension 1, a's concern 3, c 2, flag 2,
# a's end 1, the file offered 1


@dataclass
class Fortnight:
    """The script on a stage: each day's requests, the acknowledgements and the checks, in the day's order."""

    stage: Stage
    script: Script = field(default_factory=Script)
    event_ids: dict[str, list[str]] = field(default_factory=dict)  # command id -> the events it recorded

    async def record(self, n: int, *, wait: bool = True) -> list[str]:
        """Day n's requests at 15:00; with ``wait``, until the worker has applied every event they recorded."""
        self.stage.clock.set(at(day(n), 15))
        recorded: list[str] = []
        for call in self.script.days[n]:
            answer = await self.stage.send(call)
            ids = [str(e) for e in answer.get("event_ids", ())]
            self.event_ids[str(call.body.get("command_id", call.path))] = ids
            recorded += ids
        if wait:
            await self.stage.applied(recorded)
        return recorded

    async def acknowledge(self, n: int) -> None:
        """Day 8, 15:10: HOME_1's DSL acknowledges, through the notifications API, the two alerts of a's concern
        sent to HOME_1 (as read in the emails: each carries its notification id as its Message-ID)."""
        if n != 8:
            return
        self.stage.clock.set(at(day(n), 15, 10))
        read = [mail for mail in self.stage.smtp.mailbox()
                if mail.to in (address(HOME_1, "default"), address(HOME_1, "dsl")) and "Safeguarding" in mail.subject]
        assert len(read) == 2, f"HOME_1 was to have two safeguarding alerts to acknowledge: {read}"
        for mail in read:
            await self.stage.send(acknowledgement(dsl(HOME_1), message_uuid(mail)))

    async def escalations(self, n: int, steps: tuple[int, ...] = (1, 2, 3, 4, 4)) -> None:
        """On an urgent day, the escalation check at each deadline after 15:00 (the last run twice: nothing new)."""
        if n in URGENT_DAYS:
            for step in steps:
                self.stage.clock.set(at(day(n), 15) + step * ESCALATION_DEADLINE)
                await self.stage.check("escalation_check")

    async def digests(self, n: int, minutes_late: int = 0) -> None:
        self.stage.clock.set(at(day(n), 17, minutes_late))
        await self.stage.check("digest_check")

    async def whole_day(self, n: int) -> None:
        await self.record(n)
        await self.acknowledge(n)
        await self.escalations(n)
        await self.digests(n)

    def quiet_event_ids(self) -> set[str]:
        keys = [str(call.body.get("command_id", call.path)) for call in self.script.quiet]
        return {e for key in keys for e in self.event_ids.get(key, [])}


@dataclass(frozen=True, slots=True)
class Sent:
    """A NotificationSent as stored: what the label of a message is made of."""

    notification_id: str
    rule: str
    audience: str
    cause: str


async def notifications_sent(pool: asyncpg.Pool) -> list[Sent]:
    try:
        rows = await pool.fetch(
            "SELECT payload->>'notification_id' AS id, payload->>'rule_name' AS rule, payload->>'audience' AS audience,"
            " payload->>'cause_event_id' AS cause FROM events WHERE event_type = 'NotificationSent' ORDER BY position")
    except asyncpg.UndefinedTableError:
        return []
    return [Sent(r["id"], r["rule"], r["audience"], r["cause"]) for r in rows]


async def escalation_steps(pool: asyncpg.Pool) -> dict[str, tuple[str, int]]:
    """message id -> (the escalated notification id, step)."""
    rows = await pool.fetch("SELECT payload FROM events WHERE event_type = 'AlertEscalated'")
    steps = [json.loads(r["payload"]) for r in rows]
    return {s["message_id"]: (s["notification_id"], s["step"]) for s in steps}


async def until(check: Callable[[], Awaitable[bool]], what: str, stage: Stage, seconds: float = 60.0) -> None:
    await wait_for_platform(check, what, stage.processes, seconds=seconds)


def message_uuid(mail: Mail) -> str:
    return mail.message_id.strip("<>").split("@", 1)[0]


async def labelled(pool: asyncpg.Pool, mails: list[Mail]) -> dict[str, list[str]]:
    """Each address's messages, in the order they reached it, as 'rule/audience' (an alert),
    'rule/audience: escalation n' (a step) or 'digest: k alerts'."""
    sent = {s.notification_id: s for s in await notifications_sent(pool)}
    steps = await escalation_steps(pool)
    boxes: dict[str, list[str]] = {}
    for mail in mails:
        key = message_uuid(mail)
        if key in sent:
            label = f"{sent[key].rule}/{sent[key].audience}"
        elif key in steps:
            of, step = steps[key]
            label = f"{sent[of].rule}/{sent[of].audience}: escalation {step}"
        else:
            label = mail.subject.lower().replace("daily ", "")
        boxes.setdefault(mail.to, []).append(label)
    return boxes
