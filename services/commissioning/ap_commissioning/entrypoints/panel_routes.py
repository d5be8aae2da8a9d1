"""The panel, Fair Access and capacity reads (seeds 003, 004; issue 13), each authorised on stored facts.

  GET /v1/panels/{panel_id}                     members, meetings, continuum and cases (pupil_ref only)
  GET /v1/local-authorities/{local_authority_id}/panels   the area's panels whose cases the caller may read
  GET /v1/panels/{panel_id}/fair-access-table   the panel area's row of the Fair Access table
  GET /v1/local-authorities/{local_authority_id}/fair-access-table   seed 004's table: each panel area, total
  GET /v1/capacity/{local_authority_id}/{academic_year}   places commissioned against referrals, per phase

The tables take ``as_of`` (default today), ``academic_year`` (cases opened in it), ``band`` (repeatable,
default 38, 69 and 100 school days), ``cumulative`` (default true: a case counts in every band it reached,
as the seed's table does) and ``expectation_school_days`` (default 20); the answer says which were used.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from ap_commissioning.domain.context import counted_with
from ap_commissioning.domain.fair_access_bands import FairAccessBands
from ap_commissioning.domain.fair_access_table import FairAccessTable
from ap_commissioning.entrypoints.bootstrap import CommissioningServices
from ap_runtime.access.fastapi import CallerDep, HeadersDep
from ap_runtime.http.problems import InvalidRequest

router = APIRouter(tags=["panels and Fair Access"])


def _services(request: Request) -> CommissioningServices:
    services: CommissioningServices = request.app.state.commissioning
    return services


ServicesDep = Annotated[CommissioningServices, Depends(_services)]


def _bands(band: list[int] | None, cumulative: bool, expectation_school_days: int) -> FairAccessBands:
    try:
        return FairAccessBands(tuple(band) if band else (38, 69, 100), cumulative, expectation_school_days)
    except ValueError as error:
        raise InvalidRequest([{"field": "band", "problem": str(error)}]) from None


BandsDep = Annotated[list[int] | None, Query(alias="band")]


def _table(table: FairAccessTable, counted_with: str) -> dict[str, Any]:
    body = asdict(table)
    body["bands_are"] = "cumulative" if table.cumulative else "exclusive"
    body["counted_with"] = counted_with
    return body


@router.get("/v1/panels/{panel_id}")
async def one_panel(panel_id: str, caller: CallerDep, headers: HeadersDep, services: ServicesDep) -> dict[str, Any]:
    view = await services.panels.panel(caller, panel_id, purpose=headers.purpose)
    body = asdict(view)
    for name in ("continuum", "fair_access_cases", "outside_school_cases"):
        body[name] = list(body[name].values())
    body["referrals"] = [{**asdict(r), "within_expected_wait": r.within_expected_wait}
                         for r in view.referrals.values()]
    body["members"] = [{"user_id": user, **member} for user, member in view.members.items()]
    return body


@router.get("/v1/local-authorities/{local_authority_id}/panels")
async def area_panels(local_authority_id: str, caller: CallerDep, headers: HeadersDep,
                      services: ServicesDep) -> dict[str, Any]:
    """Each panel with its name, kind and how many referrals await a decision and Fair Access cases are open
    (counts only: the cases themselves are the panel's read)."""
    views = await services.panels.readable_panels(caller, local_authority_id, purpose=headers.purpose)
    panels = [{"panel_id": v.panel_id, "name": v.name, "kind": v.kind, "area_id": v.area_id,
               "referrals_awaiting_decision": sum(r.decision is None for r in v.referrals.values()),
               "open_fair_access_cases": sum(c.open for c in v.fair_access_cases.values())}
              for v in views]
    return {"local_authority_id": local_authority_id, "panels": panels}


@router.get("/v1/panels/{panel_id}/fair-access-table")
async def panel_fair_access_table(panel_id: str, caller: CallerDep, headers: HeadersDep, services: ServicesDep,
                                  as_of: date | None = None, academic_year: str | None = None,
                                  band: BandsDep = None, cumulative: bool = True,
                                  expectation_school_days: int = 20) -> dict[str, Any]:
    bands = _bands(band, cumulative, expectation_school_days)
    table, calendar = await services.panels.panel_table(caller, panel_id, as_of, academic_year, bands,
                                                        purpose=headers.purpose)
    return _table(table, counted_with(calendar))


@router.get("/v1/local-authorities/{local_authority_id}/fair-access-table")
async def authority_fair_access_table(local_authority_id: str, caller: CallerDep, headers: HeadersDep,
                                      services: ServicesDep, as_of: date | None = None,
                                      academic_year: str | None = None, band: BandsDep = None,
                                      cumulative: bool = True, expectation_school_days: int = 20) -> dict[str, Any]:
    bands = _bands(band, cumulative, expectation_school_days)
    table, calendar = await services.panels.authority_table(caller, local_authority_id, as_of, academic_year,
                                                            bands, purpose=headers.purpose)
    return _table(table, counted_with(calendar))


@router.get("/v1/capacity/{local_authority_id}/{academic_year}")
async def capacity(local_authority_id: str, academic_year: str, caller: CallerDep, headers: HeadersDep,
                   services: ServicesDep, on: date | None = None) -> dict[str, Any]:
    """Places by phase (agreements in force ``on``, default today; else recorded places) against referrals."""
    view = await services.capacity.capacity(caller, local_authority_id, academic_year, on or services.panels.today(),
                                            purpose=headers.purpose)
    body = asdict(view)
    body["by_phase"] = [{**asdict(row), "shortfall": row.shortfall} for row in view.by_phase]
    return body
