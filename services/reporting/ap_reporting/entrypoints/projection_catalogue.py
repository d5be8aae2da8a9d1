"""The reporting service's projection, as ``ap projections`` builds it (see ``ap_runtime.projection.registry``)."""

from __future__ import annotations

from ap_reporting.entrypoints.settings import ReportingSettings
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.projection.base import Projection
from ap_runtime.projection.registry import RegisteredProjection, pooled


def _facts(topics: tuple[str, ...] | None) -> Projection:
    return ReportingFactsProjection(topics=topics or (ReportingSettings.from_env().topic,))


def _commissioning(topics: tuple[str, ...] | None) -> Projection:
    return ReportingCommissioningFactsProjection(topics=topics or (ReportingSettings.from_env().commissioning_topic,))


def _reasons(topics: tuple[str, ...] | None) -> Projection:
    return ExclusionReasonsProjection(topics=topics or (ReportingSettings.from_env().topic,))


def _finance(topics: tuple[str, ...] | None) -> Projection:
    return ReportingFinanceProjection(topics=topics or (ReportingSettings.from_env().finance_topic,))


def _dsn() -> str:
    return ReportingSettings.from_env().dsn


PROJECTIONS = (RegisteredProjection(ReportingFactsProjection.name, "reporting", pooled(_facts, _dsn)),
               RegisteredProjection(ReportingCommissioningFactsProjection.name, "reporting",
                                    pooled(_commissioning, _dsn)),
               RegisteredProjection(ExclusionReasonsProjection.name, "reporting", pooled(_reasons, _dsn)),
               RegisteredProjection(ReportingFinanceProjection.name, "reporting", pooled(_finance, _dsn)))
