"""Rewards on a placement: slips granted and redeemed, never below zero (domain brief section 2, step 4).

Both are entries on an open placement (``guards.dated_placement_entry``; who records them is the access
policy's DAY-2); the slip balance is folded from them, and a withdrawal in error gives the slips back
(``domain/undo.py``).
"""

from __future__ import annotations

from datetime import date

from ap_contracts.events.pupil_record import RewardGranted, RewardRedeemed
from ap_contracts.events.pupil_vocabulary import RewardKind, ShortLabel
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.money import Pence, format_pounds
from ap_incidents.domain.commands import PlacementCommand, PositiveInt, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import InsufficientRewardSlips, RewardItemOverLimit
from ap_incidents.domain.folding import NOTHING, Applied, change_slips
from ap_incidents.domain.guards import dated_placement_entry
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class GrantReward(PlacementCommand):
    granted_on: date
    kind: RewardKind
    quantity: PositiveInt = 1
    reason: Text = ""


class RedeemReward(PlacementCommand):
    redeemed_on: date
    item: ShortLabel
    cost_pence: Pence
    slips_spent: PositiveInt


# ----------------------------------------------------------------------------- decisions


def grant_reward(command: GrantReward, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    dated_placement_entry(command, state, context, command.granted_on, "a reward")
    return [RewardGranted(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, granted_on=command.granted_on, kind=command.kind,
        quantity=command.quantity, reason=command.reason,
    )]


def redeem_reward(command: RedeemReward, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Slips spent never exceed slips held, and no single item costs more than the configured maximum."""
    placement = dated_placement_entry(command, state, context, command.redeemed_on, "a redemption")
    limit = context.rules.reward_item_max_pence
    if command.cost_pence > limit:
        raise RewardItemOverLimit(
            f"{command.item} costs {format_pounds(command.cost_pence)}; items are limited to {format_pounds(limit)}"
        )
    if command.slips_spent > placement.slip_balance:
        raise InsufficientRewardSlips(
            f"{command.slips_spent} slips needed but only {placement.slip_balance} held on this placement"
        )
    return [RewardRedeemed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, redeemed_on=command.redeemed_on, item=command.item,
        cost_pence=command.cost_pence, slips_spent=command.slips_spent, rule_version=context.rules.version,
    )]


# ----------------------------------------------------------------------------- folds (evolve)


def _reward_granted(event: RewardGranted, state: PupilRecord) -> Applied:
    if event.kind is not RewardKind.REWARD_SLIP:
        return state, NOTHING
    return change_slips(state, event.placement_id, event.quantity)


def _reward_redeemed(event: RewardRedeemed, state: PupilRecord) -> Applied:
    return change_slips(state, event.placement_id, -event.slips_spent)


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(GrantReward, grant_reward, "incidents.grant_reward", (RewardGranted,), "rewards",
            "Grant a reward"),
        CommandDeclaration(RedeemReward, redeem_reward, "incidents.redeem_reward", (RewardRedeemed,),
            "reward-redemptions", "Redeem reward slips"),
    ),
    events={
        RewardGranted: EventRule(_reward_granted, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"kind", "quantity"}),
            withdrawable=True,
        )),
        RewardRedeemed: EventRule(_reward_redeemed, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"cost_pence", "slips_spent"}),
            withdrawable=True,
        )),
    },
)
