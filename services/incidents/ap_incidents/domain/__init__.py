"""Pure domain of the pupil path: commands, ``decide``, ``evolve``, state, rules and errors (no I/O)."""

from ap_incidents.domain.caller import HOME_SCHOOL_HEAD, Caller
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.evolve import evolve, fold
from ap_incidents.domain.identity import provision_stream_id, pupil_stream_id, record_id_for
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.staff_register import StaffRegister, decide_register, evolve_register
from ap_incidents.domain.state import PupilRecord

__all__ = [
    "DEFAULT_RULES",
    "HOME_SCHOOL_HEAD",
    "Caller",
    "DecisionContext",
    "PupilRecord",
    "RuleBook",
    "StaffRegister",
    "decide",
    "decide_register",
    "evolve",
    "evolve_register",
    "fold",
    "provision_stream_id",
    "pupil_stream_id",
    "record_id_for",
]
