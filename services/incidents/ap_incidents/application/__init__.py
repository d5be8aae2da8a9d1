"""Application layer of the incidents service: authorise, decide on the pupil's stream, append; and queries."""

from ap_incidents.application.catalogue import COMMANDS, CommandSpec, spec_for
from ap_incidents.application.command_handler import CommandHandler
from ap_incidents.application.errors import CommandIdReused, ConcurrentWritesPersist
from ap_incidents.application.parsing import InvalidCommandBody, parse_command, spec_named
from ap_incidents.application.service import IncidentsApplication
from ap_incidents.domain.themes.privacy import ErasePupil

__all__ = [
    "COMMANDS",
    "CommandHandler",
    "CommandIdReused",
    "CommandSpec",
    "ConcurrentWritesPersist",
    "ErasePupil",
    "IncidentsApplication",
    "InvalidCommandBody",
    "parse_command",
    "spec_for",
    "spec_named",
]
