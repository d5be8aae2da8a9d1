"""HTTP API of the notifications service: ``python -m ap_notifications.entrypoints.api``.

  GET  /v1/notifications                               the caller's organisation's notifications
  POST /v1/notifications/{notification_id}/acknowledgement
  POST /v1/safeguarding-transfers                      the DSL sends a child-protection file
  GET  /v1/safeguarding-transfers                      the transfers the caller's organisation sends or receives
  GET  /v1/safeguarding-transfers/{transfer_id}        sender or receiver reads the transfer's state
  POST /v1/safeguarding-transfers/{transfer_id}/receipt  the receiving DSL confirms receipt
  GET  /v1/pupils/{pupil_ref}/subject-access          what this service holds about a pupil (DPO)

Every call is authorised and audited through ``ap_runtime.access``. Environment: as the worker
(``entrypoints.settings``) plus AP_TOKEN_PUBLIC_KEY, AP_DSN_AP_AUDIT, AP_HTTP_HOST/AP_HTTP_PORT.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid5

import asyncpg
from fastapi import Depends, FastAPI, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ap_contracts.events.notifications import Audience
from ap_contracts.events.privacy import SafeguardingFileOffered
from ap_contracts.personal import RecordClass
from ap_notifications.adapters.subject_events import events_about
from ap_notifications.application.acknowledge import acknowledge, load_sent
from ap_notifications.application.subject_access import subject_access_document
from ap_notifications.domain.alert_classes import SAFEGUARDING_RULES, is_safeguarding_alert
from ap_notifications.domain.commands import OfferTransfer
from ap_notifications.domain.declarations import (
    ACKNOWLEDGE,
    CONFIRM_RECEIPT,
    EXPORT_SUBJECT_ACCESS,
    OFFER_FILE,
    READ_NOTIFICATIONS,
)
from ap_notifications.domain.errors import NotificationNotFound, TransferNotFound
from ap_notifications.domain.inbox_audiences import audiences_for, may_acknowledge
from ap_notifications.domain.transfers import TransferState
from ap_notifications.entrypoints.bootstrap import NotificationServices, bootstrap
from ap_notifications.entrypoints.early_warning_routes import add_early_warning_routes
from ap_notifications.entrypoints.escalation_routes import add_escalation_routes
from ap_notifications.entrypoints.http_models import (
    AcknowledgementView,
    NotificationList,
    NotificationView,
    OfferRequest,
    TransferView,
)
from ap_notifications.entrypoints.problems import SubjectAccessUnavailable, install_notifications_problems
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.entrypoints.transfer_list_routes import add_transfer_list_routes
from ap_notifications.projections import placement_terms
from ap_notifications.projections.inbox import InboxProjection, notifications_for
from ap_runtime.access import AccessGuard, AuditLog, Principal, ResourceContext, TokenVerifier, open_audit_pool
from ap_runtime.access.audit_heads import AuditHeadPublisher
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep, claim_write_token
from ap_runtime.access.policy import default_policy_store
from ap_runtime.access.token_replay import WriteTokenLedger
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.http.serve import serve_api
from ap_runtime.http.service_api import guarded_api
from ap_runtime.privacy.subject_access import render_subject_access_html
from ap_runtime.projection import read_model


@dataclass
class ApiDeps:
    services: NotificationServices
    guard: AccessGuard
    verifier: TokenVerifier
    audit_pool: asyncpg.Pool | None = None
    head_publisher: AuditHeadPublisher | None = None

    async def close(self) -> None:
        if self.head_publisher is not None:
            await self.head_publisher.stop()
        await self.services.close()
        if self.audit_pool is not None:
            await self.audit_pool.close()


def _services(request: Request) -> NotificationServices:
    services: NotificationServices = request.app.state.notifications
    return services


ServicesDep = Annotated[NotificationServices, Depends(_services)]


def _transfer_view(state: TransferState, offer: SafeguardingFileOffered, duplicate: bool = False) -> TransferView:
    return TransferView(
        transfer_id=offer.transfer_id, pupil_ref=offer.pupil_ref, from_organisation_id=offer.from_organisation_id,
        to_organisation_id=offer.to_organisation_id,
        receiving_dsl_organisation_id=offer.receiving_dsl_organisation_id, offered_at=offer.offered_at,
        due_by=offer.due_by, confirmed_at=None if state.confirmed is None else state.confirmed.confirmed_at,
        overdue_detected_on=None if state.overdue is None else state.overdue.detected_on, duplicate=duplicate,
    )


def _routes(app: FastAPI) -> None:
    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/notifications")
    async def list_notifications(
        caller: CallerDep, headers: HeadersDep, guard: GuardDep, services: ServicesDep,
        unacknowledged: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> NotificationList:
        decision = await guard.check(caller, READ_NOTIFICATIONS,
                                     ResourceContext(organisation_id=caller.organisation_id),
                                     purpose=headers.purpose, correlation_id=headers.correlation_id)
        # Each audience sees only what was addressed to it: the token's roles, as the policy accepts them (issue 16).
        audiences = audiences_for(default_policy_store().current().valid_roles(caller))
        excluded = SAFEGUARDING_RULES
        if RecordClass.SAFEGUARDING in decision.visible_record_classes:
            excluded = frozenset()
        else:
            audiences -= {Audience.DSL}
        async with read_model(services.pool, InboxProjection.name) as conn:
            entries = await notifications_for(conn, caller.organisation_id, sorted(audiences), unacknowledged,
                                              limit, excluded_rules=sorted(excluded))
        views = [NotificationView.model_validate(e, from_attributes=True) for e in entries]
        return NotificationList(organisation_id=caller.organisation_id, notifications=views)

    @app.post(ACKNOWLEDGE.path, summary=ACKNOWLEDGE.summary)
    async def acknowledge_notification(
        request: Request, notification_id: UUID, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
        services: ServicesDep,
    ) -> AcknowledgementView:
        sent = await load_sent(services.store, notification_id)
        if sent is None:
            raise NotificationNotFound(notification_id)
        safeguarding = is_safeguarding_alert(sent.rule_name, sent.audience.value)
        record_class = RecordClass.SAFEGUARDING if safeguarding else None
        ctx = ResourceContext(pupil_ref=sent.pupil_ref, organisation_id=sent.recipient_organisation_id,
                              record_class=record_class)
        await guard.check(caller, ACKNOWLEDGE.action, ctx, purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
        if not may_acknowledge(sent.audience.value, default_policy_store().current().valid_roles(caller)):
            raise NotificationNotFound(notification_id)  # another audience's alert: as if it did not exist
        await _claim(request, caller, uuid5(notification_id, "acknowledgement"))
        outcome = await acknowledge(services.executor, notification_id, caller, services.clock(),
                                    headers.correlation_id)
        return AcknowledgementView(notification_id=notification_id,
                                   already_acknowledged=outcome.duplicate or not outcome.event_ids)

    @app.post(OFFER_FILE.path, summary=OFFER_FILE.summary, status_code=status.HTTP_201_CREATED)
    async def offer_file(
        request: Request, body: OfferRequest, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
        services: ServicesDep,
    ) -> TransferView:
        async with read_model(services.pool, "notification_alerts") as conn:
            terms = await placement_terms.latest_placement_of(conn, body.pupil_ref)
        ctx = ResourceContext(pupil_ref=body.pupil_ref) if terms is None else ResourceContext(
            pupil_ref=body.pupil_ref, provision_id=terms.provision_id, home_school_id=terms.home_school_id,
            commissioner_id=terms.commissioner_id, partnership_id=terms.partnership_id)
        await guard.check(caller, OFFER_FILE.action, ctx, purpose=headers.purpose,
                          correlation_id=headers.correlation_id, recipients=(body.to_organisation_id,))
        await _claim(request, caller, uuid5(body.transfer_id, "offer"))
        command = OfferTransfer(
            transfer_id=body.transfer_id, pupil_ref=body.pupil_ref, from_organisation_id=caller.organisation_id,
            to_organisation_id=body.to_organisation_id,
            receiving_dsl_organisation_id=body.receiving_dsl_organisation_id or body.to_organisation_id,
            offered_at=services.clock(),
        )
        recorded = await services.transfers.offer(command, caller.actor(), caller.organisation_id,
                                                  headers.correlation_id)
        state, offer = await _offered(services, body.transfer_id)
        return _transfer_view(state, offer, duplicate=recorded.outcome.duplicate or not recorded.outcome.event_ids)

    @app.get("/v1/safeguarding-transfers/{transfer_id}")
    async def read_transfer(
        transfer_id: UUID, caller: CallerDep, headers: HeadersDep, guard: GuardDep, services: ServicesDep,
    ) -> TransferView:
        state, offer = await _offered(services, transfer_id)
        # Sender and receiver both follow the transfer; each reads it as a notification of its own.
        own = caller.organisation_id if caller.organisation_id in (
            offer.from_organisation_id, offer.receiving_dsl_organisation_id) else None
        ctx = ResourceContext(pupil_ref=offer.pupil_ref, organisation_id=own,
                              record_class=RecordClass.SAFEGUARDING)
        await guard.check(caller, READ_NOTIFICATIONS, ctx, purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
        return _transfer_view(state, offer)

    @app.post(CONFIRM_RECEIPT.path, summary=CONFIRM_RECEIPT.summary)
    async def confirm_receipt(
        request: Request, transfer_id: UUID, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
        services: ServicesDep,
    ) -> TransferView:
        _, offer = await _offered(services, transfer_id)
        ctx = ResourceContext(pupil_ref=offer.pupil_ref, organisation_id=offer.receiving_dsl_organisation_id)
        await guard.check(caller, CONFIRM_RECEIPT.action, ctx, purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
        await _claim(request, caller, uuid5(transfer_id, "receipt"))
        await services.transfers.confirm(transfer_id, caller.actor(), caller.organisation_id,
                                         services.clock(), headers.correlation_id)
        return _transfer_view(*await _offered(services, transfer_id))


async def _claim(request: Request, caller: Principal, write_id: UUID) -> None:
    """Bind the caller's token to this write (each write names what it writes: the notification or
    the transfer); the same token presented for another write is refused 401 (issue 9, tokens)."""
    services: NotificationServices = request.app.state.notifications
    ledger = getattr(request.app.state, "write_tokens", None)
    if not isinstance(ledger, WriteTokenLedger):
        ledger = request.app.state.write_tokens = WriteTokenLedger(services.pool)
    await claim_write_token(request, ledger, caller, write_id)


async def _pupil_context(services: NotificationServices, pupil_ref: UUID) -> ResourceContext:
    """The organisations answering for the pupil, as the pupil's latest placement names them."""
    try:
        async with read_model(services.pool, "notification_alerts") as conn:
            terms = await placement_terms.latest_placement_of(conn, pupil_ref)
    except LookupError:  # the alert worker never ran on this database: no placement is known
        terms = None
    if terms is None:
        return ResourceContext(pupil_ref=pupil_ref)
    return ResourceContext(pupil_ref=pupil_ref, provision_id=terms.provision_id, home_school_id=terms.home_school_id,
                           commissioner_id=terms.commissioner_id, partnership_id=terms.partnership_id)


def _subject_access_route(app: FastAPI) -> None:
    @app.get("/v1/pupils/{pupil_ref}/subject-access", response_class=JSONResponse,
             openapi_extra={"responses": {"200": {"content": {"text/html": {}}}}})
    async def subject_access(
        request: Request, pupil_ref: UUID, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
        services: ServicesDep,
    ) -> Response:
        """Every notification and file transfer held about the pupil, third parties withheld (DPO, stating
        why; access action `privacy.export_subject_access`). ``Accept: text/html`` for a readable copy."""
        await guard.check(caller, EXPORT_SUBJECT_ACCESS, await _pupil_context(services, pupil_ref),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        if services.codec is None:
            raise SubjectAccessUnavailable("no personal-data codec is configured for subject access")
        document = await subject_access_document(await events_about(services.pool, pupil_ref), services.codec,
                                                 pupil_ref, datetime.now(UTC))
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(render_subject_access_html(document))
        return JSONResponse(document)


async def _offered(services: NotificationServices, transfer_id: UUID) -> tuple[TransferState, SafeguardingFileOffered]:
    """The transfer and its offer; 404 when it was never offered."""
    state = await services.transfers.state(transfer_id)
    if state.offer is None:
        raise TransferNotFound(transfer_id)
    return state, state.offer


async def deps_from_env() -> ApiDeps:
    """Real adapters named by the environment (see the module docstring)."""
    services = await bootstrap()
    audit_pool = await open_audit_pool()
    heads = AuditHeadPublisher.from_env(audit_pool, "ap-notifications")
    await heads.start()
    return ApiDeps(services, AccessGuard(AuditLog(audit_pool)), TokenVerifier.from_env(ServiceAudience.NOTIFICATIONS),
                   audit_pool, heads)


def _keep(app: FastAPI, deps: ApiDeps) -> None:
    app.state.notifications = deps.services


async def _view_of(services: NotificationServices, transfer_id: UUID) -> TransferView:
    return _transfer_view(*await _offered(services, transfer_id))


def create_app(deps: ApiDeps | None = None) -> FastAPI:
    """The API; without ``deps`` it opens its adapters from the environment at startup."""
    return guarded_api("AP notifications", deps, deps_from_env, _keep, problems=install_notifications_problems,
                       routes=add_routes)


def add_routes(app: FastAPI) -> None:
    """Every route of the API; the writes take path, summary and action from ``domain/declarations.py``."""
    _routes(app)
    _subject_access_route(app)
    add_escalation_routes(app, _claim)  # issue 14
    add_early_warning_routes(app)  # issue 14: early-warning flags
    add_transfer_list_routes(app, _view_of)  # issue 16: the DSL's transfers, each as its own read shows it


def main() -> None:
    settings = NotificationSettings.from_env()  # a bad value stops here, naming the variable
    serve_api(create_app(), settings)


if __name__ == "__main__":
    main()
