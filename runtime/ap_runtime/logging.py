"""structlog JSON logging with correlation and causation ids carried in context variables.

Bind ids with ``bind_message_context`` when a command or Kafka record is handled; every log line
emitted while handling it carries them, and the relay copies them into Kafka headers.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_configured = False


def configure_logging(level: str = "INFO") -> None:
    global _configured
    if _configured:
        return
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=getattr(logging, level.upper()))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    _configured = True


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


def bind_message_context(correlation_id: object, causation_id: object | None = None, **extra: object) -> None:
    structlog.contextvars.bind_contextvars(
        correlation_id=str(correlation_id),
        causation_id=None if causation_id is None else str(causation_id),
        **extra,
    )


def clear_message_context() -> None:
    structlog.contextvars.clear_contextvars()


def exception_place(error: BaseException) -> str:
    """``<type> at <module>:<line>``: what failed and where, never the exception's text.

    Rule served (issue 9): code that holds decrypted personal data (projections, command handlers)
    may fail with a message that repeats that data (a constraint error quoting a value, a formatted
    ``ValueError``). Logs, dead-letter tables and dead-letter headers record this instead.
    """
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return type(error).__name__
    module = frame.tb_frame.f_globals.get("__name__", "?")
    return f"{type(error).__name__} at {module}:{frame.tb_lineno}"
