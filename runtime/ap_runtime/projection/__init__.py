"""Projection runner: Kafka -> read model, each event applied exactly once."""

from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.runner import ProjectionRunner
from ap_runtime.projection.store import active_schema, read_model, read_models

__all__ = ["Projection", "ProjectionRunner", "ReceivedEvent", "active_schema", "read_model", "read_models"]
