"""Read models of the incidents service: the behaviour log, the placement register, the attendance marks and
the exclusions for the governing board."""

from ap_incidents.projections.attendance_marks import AttendanceMarksProjection
from ap_incidents.projections.behaviour_log import BehaviourLogProjection
from ap_incidents.projections.exclusions_for_board import ExclusionsForBoardProjection
from ap_incidents.projections.placement_register import PlacementRegisterProjection

#: Every read model the incidents projections process runs (and the tests' projections fixture).
READ_MODELS = (BehaviourLogProjection, PlacementRegisterProjection, AttendanceMarksProjection,
               ExclusionsForBoardProjection)

__all__ = ["READ_MODELS", "AttendanceMarksProjection", "BehaviourLogProjection", "ExclusionsForBoardProjection",
           "PlacementRegisterProjection"]
