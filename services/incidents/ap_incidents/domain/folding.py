"""Shared steps of the fold: what a theme's ``evolve`` handlers build the pupil record with.

Each handler returns the new record and the entry's effect (what a later withdrawal in error has to
undo, ``domain/undo.py``); ``evolve`` files the entry under its record id.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from ap_incidents.domain.state import Effect, NoEffect, Placement, PupilRecord, Referral, SlipsChanged, with_item

Applied = tuple[PupilRecord, Effect]
NOTHING = NoEffect()


def entry_only(event: Any, state: PupilRecord) -> Applied:
    """An entry that changes nothing a rule reads is still filed, so that it can be corrected."""
    return state, NOTHING


def with_placement(state: PupilRecord, placement: Placement) -> PupilRecord:
    return replace(state, placements=with_item(state.placements, placement.placement_id, placement))


def with_referral(state: PupilRecord, referral: Referral) -> PupilRecord:
    return replace(state, referrals=with_item(state.referrals, referral.referral_id, referral))


def update_referral(state: PupilRecord, referral_id: UUID, **changes: object) -> PupilRecord:
    current = state.referrals.get(referral_id)
    if current is None:
        return state
    return with_referral(state, replace(current, **changes))  # type: ignore[arg-type]


def update_placement(state: PupilRecord, placement_id: UUID, **changes: object) -> PupilRecord:
    current = state.placements.get(placement_id)
    if current is None:
        return state
    return with_placement(state, replace(current, **changes))  # type: ignore[arg-type]


def earliest(current: date | None, day: date) -> date:
    return day if current is None or day < current else current


def change_slips(state: PupilRecord, placement_id: UUID, delta: int) -> Applied:
    """Reward slips granted (``delta`` > 0), spent, or given back when either is withdrawn."""
    placement = state.placements.get(placement_id)
    if placement is None:
        return state, NOTHING
    balance = placement.slip_balance + delta
    return with_placement(state, replace(placement, slip_balance=balance)), SlipsChanged(placement_id, delta)
