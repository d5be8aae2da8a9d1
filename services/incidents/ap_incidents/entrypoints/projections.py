"""Run the incidents read models (``ap_incidents.projections.READ_MODELS``).

    python -m ap_incidents.entrypoints.projections

Consumes ``ap.incidents.events`` (``AP_INCIDENTS_EVENTS_TOPIC`` overrides, for tests) into the read
model database (``AP_INCIDENTS_READ_DSN``, default the ``ap_incidents`` database). Personal fields
are stored sealed, as the events carry them, so this process holds no pupil key and no master key
(the API decrypts at read). Rebuild with ``ap projections rebuild incidents_behaviour_log``.
"""

import asyncio

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_incidents.entrypoints.bootstrap import EVENTS_DATABASE
from ap_incidents.entrypoints.settings import incidents_settings
from ap_incidents.projections import READ_MODELS
from ap_runtime.logging import configure_logging
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.settings import database_dsn
from ap_runtime.worker import run_until_stopped


async def _main() -> None:
    settings = incidents_settings()  # a bad value stops here, naming the variable
    configure_logging(settings.log_level)
    bootstrap = settings.kafka_bootstrap
    topic = settings.events_topic
    topics = (topic,)
    # A test topic gets its own consumer groups, so runs on other topics never share a group.
    suffix = "" if topic == INCIDENTS_EVENTS else f".{topic}"
    pool = await asyncpg.create_pool(settings.read_dsn or database_dsn(EVENTS_DATABASE),
                                     min_size=2, max_size=8)
    runners = [ProjectionRunner(projection, pool, bootstrap,
                                group_id=f"ap.projection.{projection.name}{suffix}")
               for projection in (model(topics) for model in READ_MODELS)]
    await run_until_stopped(build_app(runners, bootstrap), pool.close)


def main() -> None:
    asyncio.run(_main())


if __name__ == "__main__":
    main()
