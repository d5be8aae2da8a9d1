"""Operator commands for master keys: ``python -m ap_runtime.privacy generate|rotate|usage``.

The lead's ``ap`` CLI can mount ``app`` as a sub-command group (``app.add_typer(privacy.cli.app,
name="privacy")``). Key material is printed once, to stdout, for the operator's secret store.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from ap_runtime.logging import configure_logging
from ap_runtime.privacy.factory import keystore_from_env
from ap_runtime.privacy.keystore import DEFAULT_ROTATION_BATCH
from ap_runtime.privacy.masterkeys import generate_master_key

app = typer.Typer(help="Master keys that wrap pupil data keys.", no_args_is_help=True)


@app.callback()
def _logs_to_stderr() -> None:
    configure_logging()  # stdout carries only the command's answer, for scripts to read

@app.command()
def generate(key_id: Annotated[str, typer.Option(help="Id of the new key (default mk-<date>-<hex>)")] = "") -> None:
    """Print a new 'id:base64' entry to append to AP_MASTER_KEYS."""
    typer.echo(generate_master_key(key_id or None))


@app.command()
def rotate(
    new_key_id: Annotated[str, typer.Argument(help="Master key id to rewrap every live data key under")],
    dsn: Annotated[str, typer.Option(help="Key database DSN")] = "",
    batch_size: Annotated[int, typer.Option(min=1)] = DEFAULT_ROTATION_BATCH,
) -> None:
    """Rewrap every live data key under NEW_KEY_ID (both keys must be in AP_MASTER_KEYS); prints the
    MasterKeyRotated event to record."""

    async def run() -> str:
        store = await keystore_from_env(dsn or None)
        try:
            event = await store.rotate_master(new_key_id, batch_size=batch_size)
        finally:
            await store.close()
        return event.model_dump_json()

    typer.echo(asyncio.run(run()))


@app.command()
def usage(dsn: Annotated[str, typer.Option(help="Key database DSN")] = "") -> None:
    """Print how many live data keys each master key wraps (check before retiring a key)."""

    async def run() -> dict[str, int]:
        store = await keystore_from_env(dsn or None)
        try:
            return await store.master_key_usage()
        finally:
            await store.close()

    typer.echo(json.dumps(asyncio.run(run()), sort_keys=True))
