"""Decide, audit, and enforce one access, independent of any web framework.

Rules served: every decision is audited before anything is served (allowed ones must be logged
or refused: fail closed); break-glass reads of safeguarding detail are flagged in the audit and
the DSL is told (KCSIE; STATUTORY.md). HTTP code lives in ``ap_runtime.access.fastapi``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import structlog

from ap_runtime.access.audit import AuditSink
from ap_runtime.access.audit_chain import AuditEntry
from ap_runtime.access.context import ResourceContext
from ap_runtime.access.policy import Decision, PolicyStore, decide, default_policy_store
from ap_runtime.access.principal import Principal
from ap_runtime.access.purpose import InvalidPurpose, StatedPurpose, parse_purpose
from ap_runtime.logging import exception_place

__all__ = ["AccessDenied", "AccessGuard", "AuditUnavailable", "BreakGlassAccess", "InvalidPurpose", "NotifyDsl",
           "audit_entry"]

log = structlog.get_logger(__name__)


class AccessDenied(Exception):
    """The policy refused the access; ``decision`` carries the rule and the reason."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


class AuditUnavailable(Exception):
    """An allowed access could not be logged, so it is refused."""


@dataclass(frozen=True, slots=True)
class BreakGlassAccess:
    """What the DSL is told after an emergency read of safeguarding detail."""

    principal: Principal
    action: str
    resource: ResourceContext
    purpose: str
    rule_id: str
    at: datetime
    correlation_id: UUID


NotifyDsl = Callable[[BreakGlassAccess], Awaitable[None]]


def audit_entry(
    principal: Principal,
    resource: ResourceContext,
    decision: Decision,
    *,
    purpose: StatedPurpose,
    correlation_id: UUID,
    at: datetime,
    recipients: tuple[str, ...] = (),
) -> AuditEntry:
    """The audit entry for one decision: identifiers, the purpose and the reason, never the data."""
    return AuditEntry(
        at=at,
        user_id=principal.user_id,
        roles=tuple(sorted(role.value for role in principal.roles)),
        organisation_id=principal.organisation_id,
        action=decision.action,
        decision="allowed" if decision.allowed else "denied",
        rule_id=decision.rule_id,
        reason=decision.reason,
        pupil_ref=resource.pupil_ref,
        record_class=None if resource.record_class is None else resource.record_class.value,
        purpose=purpose.note,
        purpose_category=None if purpose.category is None else purpose.category.value,
        correlation_id=correlation_id,
        break_glass=decision.break_glass,
        recipients=recipients,
        policy_version=decision.policy_version,
    )


def _display(purpose: StatedPurpose) -> str | None:
    parts = [p for p in (None if purpose.category is None else purpose.category.value, purpose.note) if p]
    return ": ".join(parts) or None


class AccessGuard:
    """Checks an access against the current policy, audits the decision, and raises on denial.

    Without ``policy`` the guard decides with ``default_policy_store()`` as the settings name it when the
    guard is built (``$AP_ACCESS_POLICY`` or the packaged file); that store follows its file's edits."""

    def __init__(
        self,
        audit: AuditSink,
        *,
        policy: PolicyStore | None = None,
        notify_dsl: NotifyDsl | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._audit = audit
        # Chosen once (issue 11): a check used to re-read the settings and look the store up every time.
        # The store still re-reads its file when the file changes, so an edit applies at the next check.
        self._policy = policy if policy is not None else default_policy_store()
        self._notify_dsl = notify_dsl
        self._clock = clock

    def auditing_to(self, audit: AuditSink) -> AccessGuard:
        """This guard (the same policy store, DSL notifier and clock) logging its decisions to ``audit``."""
        return AccessGuard(audit, policy=self._policy, notify_dsl=self._notify_dsl, clock=self._clock)

    async def check(
        self,
        principal: Principal,
        action: str,
        resource: ResourceContext,
        *,
        purpose: str | None = None,
        break_glass: bool = False,
        correlation_id: UUID | None = None,
        recipients: tuple[str, ...] = (),
    ) -> Decision:
        """The allowing decision, once audited; raises ``AccessDenied`` (audited too) otherwise.

        ``purpose`` is the purpose header (``<category>[: <note>]``, see ``purpose``). Raises
        ``AuditUnavailable`` when an allowed access cannot be logged, ``InvalidPurpose`` for an
        over-long purpose and ``PolicyError`` when the policy file cannot be read.
        """
        parsed = parse_purpose(purpose)
        stated = _display(parsed)
        decision = decide(principal, action, resource, purpose=parsed.stated, break_glass=break_glass,
                          policy=self._policy.current(), purpose_category=parsed.category)
        at = self._clock()
        correlation = correlation_id or uuid4()
        entry = audit_entry(principal, resource, decision, purpose=parsed, correlation_id=correlation, at=at,
                            recipients=recipients)
        await self._record(entry, principal, decision)
        if not decision.allowed:
            _log_denied(principal, resource, decision, entry.roles, correlation)
            raise AccessDenied(decision)
        if decision.break_glass and stated is not None:
            await self._tell_dsl(
                BreakGlassAccess(principal, decision.action, resource, stated, decision.rule_id, at, correlation)
            )
        return decision

    async def _record(self, entry: AuditEntry, principal: Principal, decision: Decision) -> None:
        """Audit the decision; an allowed access that cannot be audited is refused (a denial stays denied)."""
        try:
            await self._audit.record(entry)
        except Exception as exc:
            log.error("access.audit_failed", action=decision.action, user=principal.user_id, error=exception_place(exc))
            if decision.allowed:
                raise AuditUnavailable("the access audit is unavailable, so access is refused") from exc

    async def _tell_dsl(self, access: BreakGlassAccess) -> None:
        log.warning(
            "access.break_glass",
            user=access.principal.user_id,
            organisation=access.principal.organisation_id,
            action=access.action,
            rule=access.rule_id,
            correlation_id=str(access.correlation_id),
        )
        if self._notify_dsl is None:
            return
        try:
            await self._notify_dsl(access)
        except Exception as exc:
            # The read is already audited with its break-glass flag, which the DSL can query;
            # a failed notification is logged loudly rather than undoing an emergency read.
            log.error("access.break_glass_notify_failed", correlation_id=str(access.correlation_id),
                      error=exception_place(exc))


def _log_denied(principal: Principal, resource: ResourceContext, decision: Decision, roles: tuple[str, ...],
                correlation_id: UUID) -> None:
    log.warning(
        "access.denied",
        user=principal.user_id,
        organisation=principal.organisation_id,
        roles=roles,
        action=decision.action,
        pupil_ref=None if resource.pupil_ref is None else str(resource.pupil_ref),
        rule=decision.rule_id,
        reason=decision.reason,
        correlation_id=str(correlation_id),
    )
