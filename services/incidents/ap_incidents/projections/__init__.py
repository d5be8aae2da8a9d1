"""Read models of the incidents service: the behaviour log and the placement register."""

from ap_incidents.projections.behaviour_log import BehaviourLogProjection
from ap_incidents.projections.placement_register import PlacementRegisterProjection

__all__ = ["BehaviourLogProjection", "PlacementRegisterProjection"]
