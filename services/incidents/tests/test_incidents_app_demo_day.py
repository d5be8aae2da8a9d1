"""The scripted day is well formed: every command type, valid bodies, expectations that add up."""

from __future__ import annotations

import pytest

from ap_incidents.application.catalogue import COMMANDS
from ap_incidents.application.parsing import InvalidCommandBody, parse_command
from demo.personas import Persona
from demo.scripted_day import (
    Channel,
    Outcome,
    erasure_step,
    legal_hold_steps,
    safeguarding_release_step,
    scripted_day,
)


def token_for(persona: Persona) -> str:
    return f"token-of-{persona.value}"


def test_the_day_uses_every_command_type_on_both_channels() -> None:
    day = scripted_day(token_for)
    privacy_steps = [erasure_step(day, "cedar", token_for), *legal_hold_steps(day, "cedar", token_for),
                     safeguarding_release_step(day, "cedar", token_for)]
    used = {step.command_type for step in day.steps} | {step.command_type for step in privacy_steps}
    assert used == set(COMMANDS)
    assert {step.channel for step in day.steps} == {Channel.HTTP, Channel.KAFKA}
    outcomes = {step.expect.outcome for step in day.steps}
    assert outcomes == set(Outcome)
    for channel in Channel:
        assert any(s.channel is channel and s.expect.outcome is not Outcome.ACCEPTED for s in day.steps), channel


def test_every_body_is_a_valid_command_except_the_invalid_one() -> None:
    day = scripted_day(token_for)
    for step in day.steps:
        spec = COMMANDS[step.command_type]
        if step.expect.outcome is Outcome.INVALID:
            with pytest.raises(InvalidCommandBody):
                parse_command(spec, step.command, pupil_ref=step.pupil_ref, provision_id=step.provision_id)
            continue
        parse_command(spec, step.command, pupil_ref=step.pupil_ref, provision_id=step.provision_id)
        assert step.token == token_for(step.persona)


def test_each_pupil_uses_one_channel_and_its_accepted_entries_are_known() -> None:
    day = scripted_day(token_for)
    assert set(day.pupils) == {"ashgrove", "birchfield", "cedar"}
    for pupil in day.pupils.values():
        steps = [s for s in day.steps if s.pupil_ref == pupil.pupil_ref]
        assert len({s.channel for s in steps}) == 1
        assert day.accepted_event_types(pupil.pupil_ref)[0] == "PupilRegistered"
        assert all(day.run_tag in value for value in pupil.identifying_values() if value != str(pupil.date_of_birth))
        assert len(pupil.narratives) >= 5
    assert len(day.commands()) == len(day.steps)


def test_two_days_do_not_share_identifying_values() -> None:
    first, second = scripted_day(token_for), scripted_day(token_for)
    assert first.run_tag != second.run_tag
    assert first.pupils["ashgrove"].display_name != second.pupils["ashgrove"].display_name
