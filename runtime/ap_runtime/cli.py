"""`ap`: one command line for operators, gathering each runtime part's commands."""

from __future__ import annotations

import typer

from ap_runtime.access.cli import app as access_app
from ap_runtime.privacy.cli import app as privacy_app
from ap_runtime.projection.__main__ import app as projection_app

app = typer.Typer(help="Operate the AP platform: projections, access tokens and audit, personal-data keys.",
                  no_args_is_help=True)
app.add_typer(projection_app, name="projections")
app.add_typer(access_app, name="access")
app.add_typer(privacy_app, name="privacy")

if __name__ == "__main__":
    app()
