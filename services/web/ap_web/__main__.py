"""Run the web service: ``python -m ap_web [port]`` with AP_WEB_* and the token issuer's settings."""

from __future__ import annotations

import asyncio
import sys

import uvicorn

from ap_web.app import create_app
from ap_web.entrypoints.bootstrap import bootstrap


def main() -> None:
    deps = asyncio.run(bootstrap())
    port = int(sys.argv[1]) if len(sys.argv) > 1 else deps.settings.http_port
    app = create_app(deps.settings, deps.issuer)
    uvicorn.run(app, host=deps.settings.http_host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
