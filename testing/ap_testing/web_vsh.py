"""A looked-after child for the virtual school head's web journey (issue 16 follow-up), on the ``web_w2`` platform:
a second pupil of the home school walked through the scripted day's first pupil's accepted steps up to the
placement, which names the county (``demo.personas.COMMISSIONER``) as looking after the child, then suspended by
the home school's head, which is what tells the county's virtual school head (rule
``looked_after_exclusion_virtual_school``). Every command goes over HTTP with a fresh token.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

from ap_testing.web_w2 import PLACEMENT_STARTED, W2Platform
from demo.personas import COMMISSIONER
from demo.runner import path_of
from demo.scripted_day import Step

#: How the notifications service titles the virtual school head's alert (``messages.TEMPLATES``).
VSH_ALERT = "Looked-after child suspended or excluded"
SUSPENSION = "the home school head suspends for one day"


def _placement_steps(w2: W2Platform) -> list[Step]:
    """The scripted day's accepted steps about its first pupil, from its registration to its placement."""
    steps = [s for s in w2.day.steps if str(s.pupil_ref) == w2.pupil_ref
             and not s.label.startswith(("REFUSED", "DENIED"))]
    return steps[:[s.label for s in steps].index(PLACEMENT_STARTED) + 1]


def _for_pupil(step: Step, ids: dict[str, str], pupil_ref: str) -> Step:
    """The step about another pupil: every reference of the first pupil's replaced, a fresh command id."""
    text = json.dumps(step.command)
    for old, new in ids.items():
        text = text.replace(old, new)
    command = {**json.loads(text), "command_id": str(uuid.uuid4())}
    if "looked_after" in command:  # the registration records the child as looked after ...
        command["looked_after"] = True
    if step.label == PLACEMENT_STARTED:  # ... and the placement names the authority looking after it
        command["looked_after_by"] = COMMISSIONER
    return replace(step, pupil_ref=uuid.UUID(pupil_ref), command=command)


async def suspend_looked_after_child(w2: W2Platform) -> str:
    """A pupil the county looks after, placed and then suspended for a day; its reference."""
    pupil_ref = str(uuid.uuid4())
    first = next(s for s in w2.day.steps if s.label == PLACEMENT_STARTED).command
    ids = {w2.pupil_ref: pupil_ref, str(first["referral_id"]): str(uuid.uuid4()),
           w2.placement_id: str(uuid.uuid4())}
    for step in _placement_steps(w2):
        moved = _for_pupil(step, ids, pupil_ref)
        answer = await w2.api(moved.persona, path_of(moved), moved.command, purpose=moved.purpose)
        assert answer.status_code in (200, 201), (step.label, answer.text)
    scripted = next(s for s in w2.day.steps if s.label == SUSPENSION)
    suspension = _for_pupil(scripted, {str(scripted.pupil_ref): pupil_ref}, pupil_ref)
    answer = await w2.api(suspension.persona, path_of(suspension), suspension.command)
    assert answer.status_code == 201, answer.text
    return pupil_ref
