"""`POST /v1/render`: a roster document in, a community's chart or a region's overview out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from starlette.concurrency import run_in_threadpool

from api.access import StatelessCaller
from api.deps import AsOf, RulePack, SettingsDep
from api.errors import responses
from api.services.charts import CHART_RESPONSE, MEDIA_TYPES, ChartFormat, chart_bytes
from orgmodel import check_roster, load_roster
from orgmodel.input.schema import RosterDocument

router = APIRouter(prefix="/v1/render", tags=["render"])


@router.post("", response_class=Response,
             responses={**CHART_RESPONSE, **responses(400, 401, 403, 404, 413, 422, 429, 500, 503)},
             summary="Draw a community's org chart or a region's overview")
async def render_chart(
    document: RosterDocument, caller: StatelessCaller, pack: RulePack, as_of: AsOf, settings: SettingsDep,
    community: Annotated[str | None, Query(description="draw this community's org chart")] = None,
    region: Annotated[str | None, Query(description="draw this region's overview")] = None,
    format: Annotated[ChartFormat, Query(description="svg, png, pdf or dot (the graphviz source)")] = "svg",
) -> Response:
    if (community is None) == (region is None):
        raise HTTPException(422, "give either community or region")

    def draw() -> bytes:
        result = check_roster(load_roster(document, "request"), pack, as_of)
        return chart_bytes(result, community, region, format, settings.render_timeout_seconds)

    return Response(await run_in_threadpool(draw), media_type=MEDIA_TYPES[format])
