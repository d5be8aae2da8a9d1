"""Break-glass reads are recorded as events, so the DSLs responsible for the pupil are told.

Rule served: an emergency read of safeguarding detail by someone who is not a designated
safeguarding lead is allowed only by break-glass, audited with its flag, and the DSL is notified
(KCSIE; STATUTORY.md). The access guard calls ``BreakGlassRecorder`` after auditing such a read; it
appends ``BreakGlassAccessUsed`` to the pupil's access stream (``access-<pupil_ref>``), which the
relay publishes and the notifications service turns into alerts to the DSLs of the pupil's
provision and home school.

The stated purpose is free text that may name people or describe the child's situation: it stays
in the access audit (the DPO reads it there). The event carries only its category, taken from a
leading ``<category>:`` when the caller wrote one (see ``AccessPurposeCategory``).
"""

from __future__ import annotations

from uuid import UUID, uuid5

from ap_contracts.events.privacy import AccessPurposeCategory, BreakGlassAccessUsed
from ap_contracts.personal import RecordClass
from ap_runtime.access import BreakGlassAccess
from ap_runtime.commands import CommandExecutor, CommandMeta
from ap_runtime.eventstore import EventStorePort

# Fixed forever: the id of the command recording one break-glass read.
_BREAK_GLASS_NAMESPACE = UUID("0b8f3f8e-51a6-4f0c-9d3e-6c1b7f2a9e44")


def access_stream_id(pupil_ref: UUID) -> str:
    """Where a pupil's access events live: apart from the pupil record, so reading never writes to it."""
    return f"access-{pupil_ref}"


def purpose_category(purpose: str) -> AccessPurposeCategory:
    """The category the caller put before a colon, or ``uncategorised``; the free text never leaves."""
    head, colon, _ = purpose.partition(":")
    if not colon:
        return AccessPurposeCategory.UNCATEGORISED
    word = head.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return AccessPurposeCategory(word)
    except ValueError:
        return AccessPurposeCategory.UNCATEGORISED


def break_glass_event(access: BreakGlassAccess) -> BreakGlassAccessUsed | None:
    """The event telling the pupil's DSLs of an emergency read (None when no pupil was read)."""
    resource = access.resource
    if resource.pupil_ref is None:
        return None
    principal = access.principal
    return BreakGlassAccessUsed(
        pupil_ref=resource.pupil_ref,
        accessed_by_user_id=principal.user_id,
        accessed_by_roles=tuple(sorted(role.value for role in principal.roles)),
        accessed_by_organisation_id=principal.organisation_id,
        action=access.action,
        policy_rule_id=access.rule_id,
        purpose_category=purpose_category(access.purpose),
        # Break-glass rules grant safeguarding detail only; a read of one record names its class.
        record_class=resource.record_class or RecordClass.SAFEGUARDING,
        accessed_at=access.at,
        provision_id=resource.provision_id,
        home_school_id=resource.home_school_id,
    )


def break_glass_command_id(access: BreakGlassAccess) -> UUID:
    """One command per audited read: a retried notification of the same read records nothing again."""
    return uuid5(_BREAK_GLASS_NAMESPACE, f"{access.correlation_id}|{access.action}|{access.principal.user_id}|"
                                         f"{access.at.isoformat()}")


class BreakGlassRecorder:
    """The ``notify_dsl`` callback of the incidents API's access guard."""

    def __init__(self, store: EventStorePort) -> None:
        self._executor = CommandExecutor(store)

    async def __call__(self, access: BreakGlassAccess) -> None:
        event = break_glass_event(access)
        if event is None:
            return
        meta = CommandMeta(command_id=break_glass_command_id(access), actor=access.principal.actor(),
                           organisation_id=access.principal.organisation_id, correlation_id=access.correlation_id,
                           occurred_at=access.at)
        await self._executor.execute(access_stream_id(event.pupil_ref), meta, lambda _history: [event])
