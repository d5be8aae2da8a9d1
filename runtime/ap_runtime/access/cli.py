"""Command line: mint dev tokens, generate keys, verify the audit chain.

    python -m ap_runtime.access keygen
    python -m ap_runtime.access mint --user u1 --org prov-north --org-kind provision \
        --role provision_staff --ttl 3600
    python -m ap_runtime.access verify-audit --dsn postgresql://.../ap_audit
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import asyncpg
import typer

from ap_contracts.envelope import OrgKind
from ap_runtime.access.audit import AUDIT_DATABASE, VerificationResult, verify
from ap_runtime.access.keys import PRIVATE_KEY_ENV, KeyConfigError, generate_keypair, load_private_key
from ap_runtime.access.roles import Role
from ap_runtime.access.tokens import DEFAULT_TTL_SECONDS, TokenIssuer
from ap_runtime.settings import database_dsn

app = typer.Typer(no_args_is_help=True, help="Access tokens and the access audit of the AP platform.")


@app.command()
def keygen(
    pem: Annotated[bool, typer.Option("--pem", help="Print PEM blocks instead of env lines")] = False,
) -> None:
    """Generate a new Ed25519 key pair (env lines AP_TOKEN_PRIVATE_KEY / AP_TOKEN_PUBLIC_KEY)."""
    pair = generate_keypair()
    typer.echo(pair.private_pem + pair.public_pem if pem else pair.env_lines(), nl=False)


@app.command()
def mint(
    user: Annotated[str, typer.Option(help="User id (the token's sub)")],
    org: Annotated[str, typer.Option(help="Organisation id the user acts for")],
    org_kind: Annotated[OrgKind, typer.Option(help="Kind of that organisation")],
    role: Annotated[list[Role], typer.Option(help="Role; repeat for several")],
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds")] = DEFAULT_TTL_SECONDS,
    private_key_file: Annotated[
        Path | None, typer.Option(help=f"PEM file; default ${PRIVATE_KEY_ENV}", exists=True, dir_okay=False)
    ] = None,
) -> None:
    """Print a signed token for a user, organisation and roles."""
    try:
        if private_key_file is not None:
            issuer = TokenIssuer(load_private_key(private_key_file.read_text(encoding="utf-8")))
        else:
            issuer = TokenIssuer.from_env()
        token = issuer.mint(user_id=user, organisation_id=org, org_kind=org_kind, roles=role, ttl_seconds=ttl)
    except (KeyConfigError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(token)


async def _verify(dsn: str) -> VerificationResult:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        return await verify(pool)
    finally:
        await pool.close()


@app.command("verify-audit")
def verify_audit(
    dsn: Annotated[
        str | None, typer.Option(help="Audit database DSN; default $AP_DSN_AP_AUDIT or ap_audit on $DATABASE_URL")
    ] = None,
) -> None:
    """Recompute the audit hash chain; exit 1 and name the first bad record if it is broken."""
    result = asyncio.run(_verify(dsn or database_dsn(AUDIT_DATABASE)))
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} records")
        return
    typer.echo(
        f"audit chain BROKEN at seq {result.first_bad_seq}: {result.problem} "
        f"({result.checked} records sound before it)",
        err=True,
    )
    raise typer.Exit(1)
