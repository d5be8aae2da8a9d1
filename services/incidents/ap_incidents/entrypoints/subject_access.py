"""Subject access export across services: one pupil's data from incidents and notifications.

    python -m ap_incidents.entrypoints.subject_access --pupil REF --out DIR \
        --incidents-url http://incidents:8000 --notifications-url http://notifications:8000 \
        [--token TOKEN | --organisation ORG [--org-kind home_school] [--dpo-user USER]] [--purpose TEXT]

Asks each service's ``GET /v1/pupils/{ref}/subject-access`` as a data protection officer (every
service checks the policy and audits the read, under one correlation id), bundles the documents
and writes ``subject-access-<ref>.json`` (machine-readable) and ``subject-access-<ref>.html``
(readable) into DIR, readable by the owner only. Third parties' data is withheld by each service.
The token is ``--token``, else one per service (each service accepts only tokens minted for it)
minted for a DPO with ``AP_TOKEN_PRIVATE_KEY`` (short-lived; ``--organisation`` is the DPO's
organisation, which must answer for the pupil).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import httpx
from pydantic import SecretStr

from ap_contracts.envelope import OrgKind
from ap_incidents.adapters.subject_access_sources import SubjectAccessSourceFailed, fetch_subject_access
from ap_incidents.application.subject_access_bundle import bundle_documents
from ap_runtime.access import Role, TokenIssuer
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.privacy.subject_access import render_subject_access_html
from ap_runtime.settings import PlatformSettings, env_field, load_settings

DEFAULT_PURPOSE = "subject_access: UK GDPR art. 15 request"
SERVICE_AUDIENCES = {"incidents": ServiceAudience.INCIDENTS, "notifications": ServiceAudience.NOTIFICATIONS}
TOKEN_TTL_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 60.0
OWNER_ONLY = 0o600


class ExportSettings(PlatformSettings):
    """The export's settings: the shared part (with ``AP_TOKEN_PRIVATE_KEY``, to mint) and ``AP_TOKEN``."""

    dpo_token: SecretStr | None = env_field("AP_TOKEN", description="bearer token of a DPO (the --token default)")


def export_settings(env: Mapping[str, str] | None = None) -> ExportSettings:
    """The export's settings from this process's environment (or ``env``); ``InvalidSetting`` names a bad one."""
    return load_settings(ExportSettings, env)


@dataclass(frozen=True, slots=True)
class ExportedFiles:
    json_path: Path
    html_path: Path
    record_count: int


async def export_subject_access(pupil_ref: UUID, out_dir: Path, clients: Mapping[str, httpx.AsyncClient], *,
                                token: str | Mapping[str, str], purpose: str = DEFAULT_PURPOSE,
                                now: datetime | None = None) -> ExportedFiles:
    """Fetch every service's document (``clients`` by service name, ``token`` one for all or one per
    service), bundle them, write both files."""
    correlation = uuid4()
    tokens = token if isinstance(token, Mapping) else dict.fromkeys(clients, token)
    documents = {
        service: await fetch_subject_access(client, service, pupil_ref, token=tokens[service], purpose=purpose,
                                            correlation_id=correlation)
        for service, client in clients.items()
    }
    bundle = bundle_documents(pupil_ref, documents, now or datetime.now(UTC))
    return await asyncio.to_thread(write_export, bundle, out_dir)


def write_export(bundle: Mapping[str, object], out_dir: Path) -> ExportedFiles:
    """``subject-access-<ref>.json`` and ``.html`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"subject-access-{bundle['pupil_ref']}"
    json_path, html_path = stem.with_suffix(".json"), stem.with_suffix(".html")
    _write_private(json_path, json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
    _write_private(html_path, render_subject_access_html(bundle))
    return ExportedFiles(json_path, html_path, int(str(bundle["record_count"])))


def _write_private(path: Path, text: str) -> None:
    """Personal data on disk: created readable by the owner only, replaced whole."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    partial.replace(path)


def token_from(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Per service: ``--token``, else a short-lived DPO token for that service minted with ``AP_TOKEN_PRIVATE_KEY``."""
    if args.token:
        return dict.fromkeys(SERVICE_AUDIENCES, str(args.token))
    if not args.organisation:
        raise SystemExit("give --token, or --organisation (the DPO's organisation) to mint one with "
                         "AP_TOKEN_PRIVATE_KEY")
    issuer = TokenIssuer.from_settings(export_settings(env))
    return {service: issuer.mint(user_id=args.dpo_user, organisation_id=args.organisation,
                                 org_kind=OrgKind(args.org_kind), roles=[Role.DPO], ttl_seconds=TOKEN_TTL_SECONDS,
                                 audience=audience)
            for service, audience in SERVICE_AUDIENCES.items()}


def parser(settings: ExportSettings | None = None) -> argparse.ArgumentParser:
    """The CLI's arguments; ``--token`` defaults to ``AP_TOKEN`` of ``settings`` (default: this process's)."""
    given = (settings or export_settings()).dpo_token
    p = argparse.ArgumentParser(prog="python -m ap_incidents.entrypoints.subject_access",
                                description="Export everything the platform holds about one pupil (DPO).")
    p.add_argument("--pupil", type=UUID, required=True, help="pseudonymous pupil reference")
    p.add_argument("--out", type=Path, required=True, help="directory for the JSON and HTML files")
    p.add_argument("--incidents-url", required=True, help="base URL of the incidents API")
    p.add_argument("--notifications-url", required=True, help="base URL of the notifications API")
    p.add_argument("--token", default=None if given is None else given.get_secret_value(),
                   help="bearer token of a DPO (default $AP_TOKEN)")
    p.add_argument("--organisation", help="the DPO's organisation, to mint a token")
    p.add_argument("--org-kind", default=OrgKind.HOME_SCHOOL.value, choices=[k.value for k in OrgKind])
    p.add_argument("--dpo-user", default="dpo-subject-access-export", help="user id in a minted token")
    p.add_argument("--purpose", default=DEFAULT_PURPOSE, help="why (written to every service's access audit)")
    return p


async def run(args: argparse.Namespace, transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
              env: Mapping[str, str] | None = None) -> ExportedFiles:
    """The export the arguments ask for (``transports``: in-process services, for tests)."""
    token = token_from(args, env)
    urls = {"incidents": args.incidents_url, "notifications": args.notifications_url}
    clients = {
        service: httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT_SECONDS,
                                   transport=None if transports is None else transports[service])
        for service, url in urls.items()
    }
    try:
        return await export_subject_access(args.pupil, args.out, clients, token=token, purpose=args.purpose)
    finally:
        for client in clients.values():
            await client.aclose()


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        exported = asyncio.run(run(args))
    except SubjectAccessSourceFailed as failed:
        raise SystemExit(f"subject access export failed: {failed}") from failed
    print(f"{exported.record_count} record(s) written to {exported.json_path} and {exported.html_path}")


if __name__ == "__main__":
    main()
