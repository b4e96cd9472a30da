"""A region's stored roster over HTTP: a roster imported into the region (all or nothing; a
large upload as a job), and what is stored read back as a roster, checked as a report, or drawn
as a chart — as of any date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import Editor, Viewer
from api.deps import AsOf, DbSession, RegionId, RulePack, SettingsDep
from api.errors import RECORD_READ, responses
from api.privacy import masked
from api.registry import repository
from api.schemas.rosters import ImportSummary
from api.services import pipeline
from api.services.charts import CHART_RESPONSE, MEDIA_TYPES, ChartFormat, chart_bytes
from api.services.jobs import accepted, import_params, store_upload
from api.services.uploads import ACCEPTED, REQUEST_BODY, in_worker, roster_input
from orgmodel.input.schema import RosterDocument
from orgmodel.report.model import Report

router = APIRouter(prefix="/v1/regions/{region_id}", tags=["registry"])


@router.post("/roster", response_model=ImportSummary,
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


@router.get("/roster", response_model=RosterDocument, responses=RECORD_READ,
            summary="The region's stored roster (formats.md §1): the appointments in force on `as_of`, or all")
def export_roster(region_id: RegionId, session: DbSession, caller: Viewer, as_of: AsOf) -> RosterDocument:
    repository.get_region(session, caller.region, region_id)
    return masked(repository.roster_as_of(session, region_id, as_of))


@router.get("/report", response_model=Report, responses=RECORD_READ,
            summary="Check the region's stored roster as of a date: the report of formats.md §4")
async def region_report(region_id: RegionId, request: Request, caller: Viewer, pack: RulePack, as_of: AsOf) -> Response:
    content = await run_in_threadpool(pipeline.region_report, request.app.state.sessions, region_id, caller.region, pack,
                                      as_of)
    return Response(content, media_type="application/json")


@router.get("/chart", response_class=Response,
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
