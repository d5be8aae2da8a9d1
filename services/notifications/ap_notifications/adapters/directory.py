"""The recipients directory every addressed channel reads: organisation id -> role -> address.

Recipients are organisations in a role, so the address (an email address, or a mobile number for text
messages) comes from a directory the operator maintains, with a ``default`` per organisation. The email
channels (SMTP, GOV.UK Notify) and Notify's text messages look a recipient up the same way, here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from ap_contracts.events.notifications import Audience, DeliveryFailure
from ap_notifications.application.ports import DeliveryError, OutboundMessage

Directory = Mapping[str, Mapping[str, str]]

# Audiences reached only at their role's own address, never the organisation's office (issue 14): that a child
# is looked after is for the virtual school head, not for whoever reads the local authority's general mailbox.
OWN_ADDRESS_ONLY = frozenset({Audience.VIRTUAL_SCHOOL_HEAD})


def load_directory(path: Path) -> Directory:
    """``{"org-id": {"dsl": "dsl@example.org", "default": "office@example.org"}}`` from a JSON file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {str(org): {str(k): str(v) for k, v in roles.items()} for org, roles in raw.items()}


def contact_for(directory: Directory, message: OutboundMessage) -> str:
    """The address of the message's recipient; ``no_contact_details`` when the directory has none."""
    roles = directory.get(message.recipient_organisation_id, {})
    if message.recipient_role is not None:
        # An escalation step names a person; the office's default address must not receive what is
        # meant for the deputy DSL or the head (a safeguarding alert, issue 14).
        address = roles.get(message.recipient_role)
    elif message.audience in OWN_ADDRESS_ONLY:
        address = roles.get(message.audience.value)
    else:
        address = roles.get(message.audience.value) or roles.get("default")
    if not address:
        role = message.recipient_role or message.audience.value
        raise DeliveryError(DeliveryFailure.NO_CONTACT_DETAILS,
                            f"no address for {message.recipient_organisation_id}/{role}")
    return address
