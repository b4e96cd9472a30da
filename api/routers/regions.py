"""Regions over HTTP: the tree (a region is added with its level, corrected, or deleted while
empty), a roster imported into a region (all or nothing), and the stored data read back as a
roster, checked as a report, or drawn as a chart — as of any date."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import Admin, Editor, Viewer
from api.deps import AsOf, DbSession, PageQuery, RegionId, RulePack, SettingsDep
from api.errors import responses
from api.etag import IfMatch, set_etag
from api.http_contract import sliced
from api.privacy import masked, masked_all
from api.registry import repository
from api.routers.jobs import accepted
from api.schemas.regions import RegionCreate, RegionPage, RegionPublic, RegionUpdate
from api.schemas.rosters import ImportSummary
from api.services import pipeline
from api.services.charts import CHART_RESPONSE, MEDIA_TYPES, ChartFormat, chart_bytes
from api.services.jobs import import_params, store_upload
from api.services.uploads import ACCEPTED, REQUEST_BODY, in_worker, roster_input
from orgmodel.input.schema import RosterDocument
from orgmodel.report.model import Report

router = APIRouter(tags=["registry"])

READ = responses(401, 403, 404, 422, 429)


@router.get("/v1/regions", response_model=RegionPage, responses=READ,
            summary="The key's region and every region below it")
def list_regions(request: Request, session: DbSession, caller: Viewer, page: PageQuery) -> dict[str, Any]:
    return sliced(request, masked_all(repository.list_regions(session, caller.region)), page.offset, page.limit)


@router.post("/v1/regions", response_model=RegionPublic, status_code=201, responses=responses(400, 401, 403, 404, 413, 422, 429),
             summary="Add a region under one the key sees (admin)")
def create_region(region: RegionCreate, session: DbSession, caller: Admin, response: Response) -> RegionPublic:
    repository.get_region(session, caller.region, region.parent)
    view = repository.create_region(session, region.id, caller.actor, parent_id=region.parent, name=region.name,
                                    level=region.level, min_wage_monthly_yuan=region.min_wage_monthly_yuan)
    response.headers["Location"] = f"/v1/regions/{view.id}"
    set_etag(response, view.version)
    return masked(view)


@router.get("/v1/regions/{region_id}", response_model=RegionPublic, responses=READ, summary="A region")
def get_region(region_id: RegionId, session: DbSession, caller: Viewer, response: Response) -> RegionPublic:
    view = repository.get_region(session, caller.region, region_id)
    set_etag(response, view.version)
    return masked(view)


@router.put("/v1/regions/{region_id}", response_model=RegionPublic,
            responses=responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 503),
            summary="Correct a region's name, level and minimum wage (admin; not its place in the tree)")
def update_region(region_id: RegionId, region: RegionUpdate, session: DbSession, caller: Admin, version: IfMatch,
                  response: Response) -> RegionPublic:
    view = repository.update_region(session, caller.region, region_id, name=region.name, level=region.level,
                                    min_wage_monthly_yuan=region.min_wage_monthly_yuan, expected_version=version,
                                    actor=caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.delete("/v1/regions/{region_id}", status_code=204, response_class=Response,
               responses=responses(401, 403, 404, 409, 429, 503),
               summary="Delete an empty region (admin): 409 names what it still holds")
def delete_region(region_id: RegionId, session: DbSession, caller: Admin) -> Response:
    repository.delete_region(session, caller.region, region_id, caller.actor)
    return Response(status_code=204)


@router.post("/v1/regions/{region_id}/roster", response_model=ImportSummary,
             openapi_extra={"requestBody": REQUEST_BODY},
             responses={**ACCEPTED, **responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)},
             summary="Import a roster into the region: all of it, or (at any error) nothing; a large upload runs as a job")
async def import_roster(region_id: RegionId, request: Request, caller: Editor, settings: SettingsDep) -> Response:
    read, data, name = await roster_input(request)

    def visible() -> None:
        with request.app.state.sessions() as session:
            repository.get_region(session, caller.region, region_id)

    await run_in_threadpool(visible)  # before a job is queued: a foreign region is a 404 now, not later

    if len(data) > settings.job_threshold_bytes:  # the job reads the upload from its row (api.services.jobs)
        job_id = await run_in_threadpool(  # it writes the job's row: never on the event loop
            request.app.state.jobs.submit, "import", caller.region, data,
            import_params(read, name, region_id, caller.actor), caller.actor)
        return accepted(job_id, "import")
    id_secret = None if settings.id_secret is None else settings.id_secret.get_secret_value()
    content = await run_in_threadpool(store_upload, in_worker(request, read), data, name,
                                      request.app.state.sessions, region_id, caller.actor, id_secret,
                                      lambda _step, _fraction: None)
    return Response(content, media_type="application/json")


@router.get("/v1/regions/{region_id}/roster", response_model=RosterDocument, responses=READ,
            summary="The region's stored roster (formats.md §1): the appointments in force on `as_of`, or all")
def export_roster(region_id: RegionId, session: DbSession, caller: Viewer, as_of: AsOf) -> RosterDocument:
    repository.get_region(session, caller.region, region_id)
    return masked(repository.roster_as_of(session, region_id, as_of))


@router.get("/v1/regions/{region_id}/report", response_model=Report, responses=READ,
            summary="Check the region's stored roster as of a date: the report of formats.md §4")
async def region_report(region_id: RegionId, request: Request, caller: Viewer, pack: RulePack, as_of: AsOf) -> Response:
    content = await run_in_threadpool(pipeline.region_report, request.app.state.sessions, region_id, caller.region, pack,
                                      as_of)
    return Response(content, media_type="application/json")


@router.get("/v1/regions/{region_id}/chart", response_class=Response,
            responses={**CHART_RESPONSE, **responses(401, 403, 404, 422, 429, 500, 503)},
            summary="Draw the region's overview, or one of its communities' org chart, from the stored roster")
async def region_chart(region_id: RegionId, request: Request, caller: Viewer, pack: RulePack, as_of: AsOf,
                       settings: SettingsDep,
                       community: Annotated[str | None, Query(description="draw this community's org chart")] = None,
                       format: Annotated[ChartFormat, Query(description="svg, png, pdf or dot")] = "svg") -> Response:
    def draw() -> bytes:
        result = pipeline.stored_result(request.app.state.sessions, region_id, caller.region, pack, as_of)
        return chart_bytes(result, community, region_id, format, settings.render_timeout_seconds)

    return Response(await run_in_threadpool(draw), media_type=MEDIA_TYPES[format])
