"""`POST /v1/render`: a roster document in, a community's chart or a region's overview out."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from starlette.concurrency import run_in_threadpool

from api.access import StatelessCaller
from api.deps import AsOf, RulePack, SettingsDep
from api.errors import responses
from orgmodel import charts, normalize
from orgmodel.check import check
from orgmodel.document import RosterDocument
from orgmodel.readers.document import from_model

router = APIRouter(tags=["render"])

MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "dot": "text/vnd.graphviz"}
ChartFormat = Literal["svg", "png", "pdf", "dot"]

_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
CHART_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The chart", "content": {media: _BINARY for media in MEDIA_TYPES.values()}}}


@router.post("/v1/render", response_class=Response,
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
        roster, _ = normalize.load(from_model(document, "request"))
        result = check(roster, pack, as_of)
        source = charts.community_chart(result, community) if community is not None else charts.region_overview(
            result, str(region))
        return charts.render(source, format, timeout=settings.render_timeout_seconds)

    return Response(await run_in_threadpool(draw), media_type=MEDIA_TYPES[format])
