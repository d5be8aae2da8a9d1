"""Access control for the AP platform: tokens, policy as data, audit trail.

Framework-free API here; FastAPI wiring in ``ap_runtime.access.fastapi``. Typical use in a
service: verify the bearer token into a ``Principal``, build a ``ResourceContext`` from the
pupil's placement, ``await guard.check(principal, "<service>.<action>", ctx, purpose=...)`` (an id
``policy.yaml`` lists under ``actions``), and ``redact`` what is returned with the allowing ``Decision``.
"""

from ap_runtime.access.actions import ActionSpec, UnknownAction
from ap_runtime.access.audit import (
    AuditLog,
    AuditSink,
    VerificationResult,
    append_entries,
    ensure_schema,
    head,
    open_audit_pool,
    query,
    verify,
)
from ap_runtime.access.audit_chain import AuditEntry, AuditRecord
from ap_runtime.access.authoriser import Authoriser
from ap_runtime.access.context import Relationship, ResourceContext
from ap_runtime.access.guard import (
    AccessDenied,
    AccessGuard,
    AuditUnavailable,
    BreakGlassAccess,
    InvalidPurpose,
    NotifyDsl,
)
from ap_runtime.access.keys import KeyConfigError, KeyPair, generate_keypair
from ap_runtime.access.policy import (
    Decision,
    Policy,
    PolicyError,
    PolicyStore,
    decide,
    default_policy_store,
    load_policy,
    parse_policy,
    redact,
    redact_event,
)
from ap_runtime.access.principal import Principal
from ap_runtime.access.roles import Role
from ap_runtime.access.tokens import TokenIssuer, TokenRejected, TokenVerifier

__all__ = [
    "AccessDenied",
    "AccessGuard",
    "ActionSpec",
    "AuditEntry",
    "AuditLog",
    "AuditRecord",
    "AuditSink",
    "AuditUnavailable",
    "Authoriser",
    "BreakGlassAccess",
    "Decision",
    "InvalidPurpose",
    "KeyConfigError",
    "KeyPair",
    "NotifyDsl",
    "Policy",
    "PolicyError",
    "PolicyStore",
    "Principal",
    "Relationship",
    "ResourceContext",
    "Role",
    "TokenIssuer",
    "TokenRejected",
    "TokenVerifier",
    "UnknownAction",
    "VerificationResult",
    "append_entries",
    "decide",
    "default_policy_store",
    "ensure_schema",
    "generate_keypair",
    "head",
    "load_policy",
    "open_audit_pool",
    "parse_policy",
    "query",
    "redact",
    "redact_event",
    "verify",
]
