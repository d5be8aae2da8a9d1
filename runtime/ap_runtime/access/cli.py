"""Command line: mint dev tokens, generate keys, verify the audit chain.

    python -m ap_runtime.access keygen
    python -m ap_runtime.access mint --user u1 --org prov-north --org-kind provision \
        --role provision_staff --audience ap-incidents --ttl 3600
    python -m ap_runtime.access audit-keygen
    python -m ap_runtime.access verify-audit --dsn postgresql://.../ap_audit --bootstrap host:9092
    python -m ap_runtime.access publish-audit-head
    python -m ap_runtime.access query-audit --pupil <pupil_ref> --user u1 --since 2025-03-01 --until 2025-04-01
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import asyncpg
import typer

from ap_contracts.envelope import OrgKind
from ap_runtime.access.audit import AUDIT_DATABASE, VerificationResult, drop_purpose_notes, query, verify
from ap_runtime.access.audit_chain import AuditRecord
from ap_runtime.access.audit_heads import AuditHeadPublisher, heads_topic_from_env, read_published_heads
from ap_runtime.access.chain_keys import CHAIN_KEY_ENV, ChainKeyError, chain_keys_from_env, new_chain_key
from ap_runtime.access.keys import PRIVATE_KEY_ENV, KeyConfigError, generate_keypair, load_private_key
from ap_runtime.access.purpose import NOTE_RETENTION_DAYS
from ap_runtime.access.roles import Role
from ap_runtime.access.tokens import DEFAULT_TTL_SECONDS, ServiceAudience, TokenIssuer
from ap_runtime.settings import database_dsn, platform_settings

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
    audience: Annotated[ServiceAudience, typer.Option(help="The one service the token is for")],
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds (at most 8 hours)")] = DEFAULT_TTL_SECONDS,
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
        token = issuer.mint(user_id=user, organisation_id=org, org_kind=org_kind, roles=role, ttl_seconds=ttl,
                            audience=audience)
    except (KeyConfigError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(token)


DsnOption = Annotated[
    str | None, typer.Option(help="Audit database DSN; default $AP_DSN_AP_AUDIT or ap_audit on $DATABASE_URL")
]
BootstrapOption = Annotated[str | None, typer.Option(help="Kafka bootstrap servers; default $KAFKA_BOOTSTRAP_SERVERS")]
HeadsTopicOption = Annotated[
    str | None, typer.Option(help="Topic of the published chain heads; default $AP_AUDIT_HEADS_TOPIC or ap.audit.heads")
]


def _bootstrap(value: str | None) -> str:
    return value or platform_settings().kafka_bootstrap


@app.command("audit-keygen")
def audit_keygen(key_id: Annotated[str | None, typer.Option(help="Key id; default audit-<UTC time>")] = None) -> None:
    """Print a new audit chain key as an AP_AUDIT_CHAIN_KEY line (keep it out of the audit database)."""
    typer.echo(f"{CHAIN_KEY_ENV}={new_chain_key(key_id)}")


class HeadsUnreadable(Exception):
    """The published heads could not be read: without them truncation cannot be ruled out."""


async def _verify(dsn: str, bootstrap: str, topic: str) -> VerificationResult:
    try:
        heads = await asyncio.wait_for(read_published_heads(bootstrap, topic), timeout=60)
    except Exception as exc:  # a broker that does not answer, or refuses us: say so, verify nothing
        raise HeadsUnreadable(f"cannot read the published heads ({topic} on {bootstrap}): "
                              f"{type(exc).__name__}") from exc
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        return await verify(pool, keys=chain_keys_from_env(), heads=heads)
    finally:
        await pool.close()


@app.command("verify-audit")
def verify_audit(
    dsn: DsnOption = None, bootstrap: BootstrapOption = None, heads_topic: HeadsTopicOption = None
) -> None:
    """Recompute the keyed audit chain and hold it to every published head; exit 1 naming the first bad record."""
    try:
        result = asyncio.run(_verify(dsn or database_dsn(AUDIT_DATABASE), _bootstrap(bootstrap),
                                     heads_topic or heads_topic_from_env()))
    except (ChainKeyError, HeadsUnreadable) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if result.ok:
        typer.echo(_intact(result))
        return
    where = "" if result.first_bad_seq is None else f" at seq {result.first_bad_seq}"
    if result.first_bad_chain:
        where += f" of chain {result.first_bad_chain!r}"
    if result.first_bad_record is not None and result.first_bad_record != result.first_bad_seq:
        where += f" (record seq {result.first_bad_record})"
    typer.echo(f"audit chain BROKEN{where}: {result.problem} ({result.checked} records sound before it)", err=True)
    raise typer.Exit(1)


def _intact(result: VerificationResult) -> str:
    """The verdict on a sound trail: one chain as before, or the set of chains (issue 11)."""
    if not result.anchored_seq:
        anchored = "; no published head yet: truncation cannot be ruled out"
    elif result.chains > 1:
        anchored = f", {result.anchored_seq} anchored by published heads ({result.unanchored} newer not yet anchored)"
    else:
        anchored = f", anchored up to seq {result.anchored_seq} ({result.unanchored} newer records not yet anchored)"
    if result.chains > 1:
        return f"audit trail intact: {result.checked} records in {result.chains} chains{anchored}"
    return f"audit chain intact: {result.checked} records{anchored}"


async def _publish(dsn: str, bootstrap: str, topic: str) -> int | None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        published = await AuditHeadPublisher(pool, bootstrap, topic=topic, publisher="ap access publish-audit-head"
                                             ).publish_now(force=True)
        return None if published is None else published.seq
    finally:
        await pool.close()


@app.command("publish-audit-head")
def publish_audit_head(dsn: DsnOption = None, bootstrap: BootstrapOption = None,
                       heads_topic: HeadsTopicOption = None) -> None:
    """Publish the audit chain's head now (the services also do so at an interval and when they stop)."""
    try:
        seq = asyncio.run(_publish(dsn or database_dsn(AUDIT_DATABASE), _bootstrap(bootstrap),
                                   heads_topic or heads_topic_from_env()))
    except ChainKeyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo("the audit trail is empty: nothing to publish" if seq is None else f"published head at seq {seq}")


async def _drop_notes(dsn: str, days: int) -> int:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        return await drop_purpose_notes(pool, days)
    finally:
        await pool.close()


@app.command("drop-purpose-notes")
def drop_notes(
    older_than_days: Annotated[int, typer.Option(min=NOTE_RETENTION_DAYS, help="Drop notes older than this")] = (
        NOTE_RETENTION_DAYS),
    dsn: DsnOption = None,
) -> None:
    """Drop the free-text purpose notes older than the retention period (categories stay; the chain verifies)."""
    dropped = asyncio.run(_drop_notes(dsn or database_dsn(AUDIT_DATABASE), older_than_days))
    typer.echo(f"dropped {dropped} purpose note(s) older than {older_than_days} days")


AUDIT_COLUMNS = ("seq", "at (UTC)", "user", "roles", "organisation", "pupil", "class", "action", "decision", "rule",
                 "glass", "purpose")
PURPOSE_WIDTH = 40


def _moment(value: str | None) -> datetime | None:
    """An ISO date or date-time; without a zone it is UTC (the audit stores UTC)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _row(record: AuditRecord) -> tuple[str, ...]:
    purpose = ": ".join(part for part in (record.purpose_category, record.purpose) if part)
    if len(purpose) > PURPOSE_WIDTH:
        purpose = purpose[: PURPOSE_WIDTH - 1] + "…"
    return (
        str(record.seq), record.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), record.user_id,
        ",".join(record.roles), record.organisation_id, "" if record.pupil_ref is None else str(record.pupil_ref),
        record.record_class or "", record.action, record.decision, record.rule_id,
        "yes" if record.break_glass else "", purpose,
    )


def audit_table(records: list[AuditRecord]) -> str:
    """Records as a fixed-width table, oldest first (identifiers, decisions and purposes; never data)."""
    rows = [AUDIT_COLUMNS, *(_row(r) for r in records)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(AUDIT_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


async def _query(dsn: str, pupil: UUID | None, user: str | None, since: datetime | None, until: datetime | None,
                 organisation: str | None, limit: int, after_seq: int) -> list[AuditRecord]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        return await query(pool, pupil, user, since, until, organisation=organisation, limit=limit,
                           after_seq=after_seq)
    finally:
        await pool.close()


@app.command("query-audit")
def query_audit(
    pupil: Annotated[str | None, typer.Option(help="Pseudonymous pupil reference (UUID)")] = None,
    user: Annotated[str | None, typer.Option(help="User id")] = None,
    since: Annotated[str | None, typer.Option(help="From this ISO date or time, inclusive (UTC if no zone)")] = None,
    until: Annotated[str | None, typer.Option(help="Before this ISO date or time, exclusive (UTC if no zone)")] = None,
    organisation: Annotated[str | None, typer.Option(help="Users of this organisation only")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="At most this many records")] = 1000,
    after_seq: Annotated[int, typer.Option(min=0, help="Continue after this seq (the last one printed)")] = 0,
    dsn: Annotated[
        str | None, typer.Option(help="Audit database DSN; default $AP_DSN_AP_AUDIT or ap_audit on $DATABASE_URL")
    ] = None,
) -> None:
    """Print the access audit records matching every filter given, oldest first (for the DPO).

    Reads the audit database directly, so it needs that database's credentials; over HTTP a DPO uses
    the incidents API's GET /v1/audit, which checks the policy and audits the read.
    """
    try:
        pupil_ref = None if pupil is None else UUID(pupil)
        window = (_moment(since), _moment(until))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    records = asyncio.run(_query(dsn or database_dsn(AUDIT_DATABASE), pupil_ref, user, *window, organisation, limit,
                                 after_seq))
    typer.echo(audit_table(records))
    more = f"; more after --after-seq {records[-1].seq}" if len(records) == limit else ""
    typer.echo(f"{len(records)} record(s){more}")
